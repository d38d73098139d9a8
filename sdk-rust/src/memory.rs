use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::abi::decode;
use crate::calls::{run, start_call, whole};
use crate::{Errno, Error, Pending, Result};

/// A memory entry's metadata: string keys to string values, written in key order.
pub type Metadata = BTreeMap<String, String>;

/// Returns metadata holding `pairs`.
///
/// ```
/// let m = aios::metadata([("kind", "pref")]);
/// assert_eq!(m["kind"], "pref");
/// ```
pub fn metadata<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Metadata {
    pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
}

/// A memory space (ABI 1.2): texts with metadata that the agent adds, reads, updates, deletes
/// and searches by keywords or by meaning. Entries outlive the run.
///
/// [`memory()`] is the agent's own space, which the host derives from who the agent is: nothing
/// an agent passes reaches another agent's. [`Memory::shared`] names a space shared by the
/// agents of one tenant that policy lets use it.
///
/// On a host older than ABI 1.2 every method fails with [`Errno::ENOTSUP`]. See
/// docs/ABI.md, section 5.5.
///
/// ```no_run
/// # fn demo() -> aios::Result<()> {
/// let mem = aios::memory();
/// let id = mem.add("The user prefers short answers.", &aios::metadata([("kind", "pref")]))?;
/// let hits = mem.search(&aios::Search::new("answers").top_k(3).filter("kind", "pref"))?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    space: String,
    shared: bool,
}

/// Returns the agent's own memory space.
pub fn memory() -> Memory {
    Memory::default()
}

/// An entry of a memory space.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MemoryEntry {
    /// The entry's id: 32 lower-case hex digits.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Its metadata.
    pub metadata: Metadata,
    /// When it was added (RFC 3339, UTC).
    pub created: String,
    /// When it was last updated (RFC 3339, UTC).
    pub updated: String,
}

/// An entry found by [`Memory::search`]. `score` is higher for better hits and comparable
/// only within one search.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MemoryHit {
    /// The entry's id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Its metadata.
    pub metadata: Metadata,
    /// How well it matches.
    pub score: f64,
}

/// A memory search: a query and how to rank and filter. Its default is a keyword search for
/// the host's default number of hits (10).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Search {
    query: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<i64>,
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    filter: Metadata,
}

impl Search {
    /// Returns a keyword search for `query`.
    pub fn new(query: impl Into<String>) -> Search {
        Search {
            query: query.into(),
            ..Search::default()
        }
    }

    /// Ranks entries by BM25 over the words of the query, which is plain text: its quotes and
    /// operators are words like any other. It is the default.
    pub fn keyword(mut self) -> Search {
        self.mode = "keyword";
        self
    }

    /// Ranks entries by the cosine similarity of their embeddings to the query's, computed by
    /// the host's embedding core. A host without one gives [`Errno::ENOENT`].
    pub fn vector(mut self) -> Search {
        self.mode = "vector";
        self
    }

    /// Fuses the keyword and vector rankings. A host without an embedding core gives
    /// [`Errno::ENOENT`].
    pub fn hybrid(mut self) -> Search {
        self.mode = "hybrid";
        self
    }

    /// Returns at most `k` hits: 1 or more (the host lowers a `k` above its maximum to it).
    pub fn top_k(mut self, k: i64) -> Search {
        self.k = Some(k);
        self
    }

    /// Keeps the entries whose metadata maps `key` to exactly `value`; several filters must
    /// all hold.
    pub fn filter(mut self, key: impl Into<String>, value: impl Into<String>) -> Search {
        self.filter.insert(key.into(), value.into());
        self
    }
}

#[derive(Serialize)]
struct AddRequest<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    metadata: &'a Metadata,
    #[serde(skip_serializing_if = "str::is_empty")]
    space: &'a str,
}

/// Always carries metadata, `{}` for none, so an update replaces the entry's metadata.
#[derive(Serialize)]
struct UpdateRequest<'a> {
    id: &'a str,
    text: &'a str,
    metadata: &'a Metadata,
    #[serde(skip_serializing_if = "str::is_empty")]
    space: &'a str,
}

#[derive(Serialize)]
struct Ref<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    space: &'a str,
}

#[derive(Serialize)]
struct SearchRequest<'a> {
    #[serde(flatten)]
    search: &'a Search,
    #[serde(skip_serializing_if = "str::is_empty")]
    space: &'a str,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
struct Hits {
    #[serde(default)]
    hits: Vec<MemoryHit>,
}

#[derive(Deserialize)]
struct Empty {}

fn hits(call: &str, b: &[u8]) -> Result<Vec<MemoryHit>> {
    decode::<Hits>(call, b).map(|h| h.hits)
}

impl Memory {
    /// Returns the shared memory space `name`: 1 to 64 bytes of letters, digits, `.`, `_` and
    /// `-`. The agent's manifest declares it (`memory = ["NAME"]`) and the operator grants it;
    /// otherwise every call fails with [`Errno::EPERM`]. A malformed name fails every call
    /// with [`Errno::EINVAL`] before it reaches the host, where an empty name would mean the
    /// agent's own space.
    pub fn shared(name: impl Into<String>) -> Memory {
        Memory {
            space: name.into(),
            shared: true,
        }
    }

    fn check(&self, call: &str) -> Result<()> {
        if !self.shared || valid_space(&self.space) {
            return Ok(());
        }
        Err(Error::new(
            Errno::EINVAL,
            call,
            format!(
                "shared memory space {:?} is not 1 to 64 letters, digits, '.', '_' or '-'",
                self.space
            ),
        ))
    }

    /// Stores `text` with its metadata as a new entry and returns the entry's id. A space past
    /// its entry or byte quota gives [`Errno::EQUOTA`].
    pub fn add(&self, text: &str, metadata: &Metadata) -> Result<String> {
        self.check("memory_add")?;
        let req = AddRequest {
            text,
            metadata,
            space: &self.space,
        };
        run("memory_add", "memory", &req, |r: Id| r.id)
    }

    /// Returns the entry with `id`. An unknown id gives [`Errno::ENOENT`], a malformed one
    /// [`Errno::EINVAL`].
    pub fn get(&self, id: &str) -> Result<MemoryEntry> {
        self.check("memory_get")?;
        run("memory_get", "memory", &Ref { id, space: &self.space }, whole)
    }

    /// Replaces the text and the metadata of the entry with `id` (empty metadata leaves it
    /// none).
    pub fn update(&self, id: &str, text: &str, metadata: &Metadata) -> Result<()> {
        self.check("memory_update")?;
        let req = UpdateRequest {
            id,
            text,
            metadata,
            space: &self.space,
        };
        run("memory_update", "memory", &req, |_: Id| ())
    }

    /// Removes the entry with `id`. An unknown id gives [`Errno::ENOENT`].
    pub fn delete(&self, id: &str) -> Result<()> {
        self.check("memory_delete")?;
        run(
            "memory_delete",
            "memory",
            &Ref { id, space: &self.space },
            |_: Empty| (),
        )
    }

    /// Returns the entries that best match `search`, best first.
    pub fn search(&self, search: &Search) -> Result<Vec<MemoryHit>> {
        self.check_search(search)?;
        run(
            "memory_search",
            "memory",
            &SearchRequest {
                search,
                space: &self.space,
            },
            |h: Hits| h.hits,
        )
    }

    /// Starts [`search`](Memory::search) asynchronously and returns at once.
    pub fn start_search(&self, search: &Search) -> Result<Pending<Vec<MemoryHit>>> {
        self.check_search(search)?;
        start_call(
            "memory_search",
            "memory",
            &SearchRequest {
                search,
                space: &self.space,
            },
            hits,
        )
    }

    fn check_search(&self, search: &Search) -> Result<()> {
        self.check("memory_search")?;
        match search.k {
            Some(k) if k < 1 => Err(Error::new(
                Errno::EINVAL,
                "memory_search",
                format!("k {} is not 1 or more", k),
            )),
            _ => Ok(()),
        }
    }
}

fn valid_space(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-')
}
