use serde::{Deserialize, Serialize};

use crate::abi::decode;
use crate::base64::serde_bytes;
use crate::calls::{run, start_call, whole};
use crate::{Errno, Error, Pending, Result};

/// The agent's versioned key-value store (ABI 1.2), in its own space: every
/// [`put`](Storage::put) and [`delete`](Storage::delete) writes a new version of the key (1,
/// 2, …), reported once it is durable, and older versions stay readable and restorable.
///
/// Keys are 1 byte to 1 KiB of UTF-8 without NUL and opaque (`/` and `..` mean nothing); a
/// value is at most the host's value limit (1 MiB by default). A write past the space's version
/// or byte quota gives [`Errno::EQUOTA`]. On a host older than ABI 1.2 every method fails with
/// [`Errno::ENOTSUP`]. See docs/ABI.md, section 5.5.
///
/// ```no_run
/// # fn demo() -> aios::Result<()> {
/// let store = aios::storage();
/// let rev = store.put("notes/today", b"first draft")?;
/// store.put("notes/today", b"second draft")?;
/// store.rollback("notes/today", rev.version)?;
/// assert_eq!(store.get("notes/today")?.value, b"first draft");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Storage {
    _private: (),
}

/// Returns the agent's storage.
pub fn storage() -> Storage {
    Storage::default()
}

/// One version of a key, as a write reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct StorageRevision {
    /// The version, counting from 1.
    pub version: i64,
    /// When it was written (RFC 3339, UTC).
    pub time: String,
    /// The value's length in bytes.
    pub size: i64,
    /// The version is a deletion.
    pub deleted: bool,
}

/// A key as [`Storage::list`] reports it: its newest version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct StorageEntry {
    /// The key.
    pub key: String,
    /// Its newest version.
    pub version: i64,
    /// When that version was written (RFC 3339, UTC).
    pub time: String,
    /// The value's length in bytes.
    pub size: i64,
}

/// One version of a key with its value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct StorageItem {
    /// The key.
    pub key: String,
    /// The version read.
    pub version: i64,
    /// When it was written (RFC 3339, UTC).
    pub time: String,
    /// The value's length in bytes.
    pub size: i64,
    /// The value.
    #[serde(with = "serde_bytes")]
    pub value: Vec<u8>,
}

/// One page of [`Storage::list_page`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct StoragePage {
    /// The keys of the page, in byte order.
    pub entries: Vec<StorageEntry>,
    /// The `after` of the next page; empty after the last.
    pub next: String,
}

#[derive(Serialize)]
struct PutRequest<'a> {
    key: &'a str,
    #[serde(with = "serde_bytes")]
    value: &'a [u8],
}

#[derive(Serialize)]
struct KeyRequest<'a> {
    key: &'a str,
    #[serde(skip_serializing_if = "is_zero")]
    version: i64,
}

#[derive(Serialize)]
struct RollbackRequest<'a> {
    key: &'a str,
    #[serde(skip_serializing_if = "is_zero")]
    version: i64,
    #[serde(skip_serializing_if = "str::is_empty")]
    time: &'a str,
}

#[derive(Serialize)]
struct ListRequest<'a> {
    prefix: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    after: &'a str,
    #[serde(skip_serializing_if = "is_zero")]
    limit: i64,
}

#[derive(Serialize)]
struct HistoryRequest<'a> {
    key: &'a str,
    #[serde(skip_serializing_if = "is_zero")]
    before: i64,
    #[serde(skip_serializing_if = "is_zero")]
    limit: i64,
}

#[derive(Deserialize)]
struct Versions {
    #[serde(default)]
    versions: Vec<StorageRevision>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn item(call: &str, b: &[u8]) -> Result<StorageItem> {
    decode(call, b)
}

fn at_least(call: &str, what: &str, n: i64, min: i64) -> Result<()> {
    if n >= min {
        return Ok(());
    }
    let want = if min == 0 { "negative" } else { "not 1 or more" };
    Err(Error::new(Errno::EINVAL, call, format!("{} {} is {}", what, n, want)))
}

impl Storage {
    /// Stores `value` as the newest version of `key` and returns that version.
    pub fn put(&self, key: &str, value: &[u8]) -> Result<StorageRevision> {
        run("storage_put", "storage", &PutRequest { key, value }, whole)
    }

    /// Returns the newest version of `key`. A key never written, or whose newest version is a
    /// deletion, gives [`Errno::ENOENT`].
    pub fn get(&self, key: &str) -> Result<StorageItem> {
        run("storage_get", "storage", &KeyRequest { key, version: 0 }, whole)
    }

    /// Returns `version` (1 or more) of `key`.
    pub fn get_version(&self, key: &str, version: i64) -> Result<StorageItem> {
        at_least("storage_get", "version", version, 1)?;
        run("storage_get", "storage", &KeyRequest { key, version }, whole)
    }

    /// Starts [`get`](Storage::get) asynchronously and returns at once.
    pub fn start_get(&self, key: &str) -> Result<Pending<StorageItem>> {
        start_call("storage_get", "storage", &KeyRequest { key, version: 0 }, item)
    }

    /// Writes a deletion as the newest version of `key` and returns it. The older versions
    /// stay: [`rollback`](Storage::rollback) restores one.
    pub fn delete(&self, key: &str) -> Result<StorageRevision> {
        run("storage_delete", "storage", &KeyRequest { key, version: 0 }, whole)
    }

    /// Writes a new version of `key` that copies `version` (1 or more); rolling back to a
    /// deletion deletes.
    pub fn rollback(&self, key: &str, version: i64) -> Result<StorageRevision> {
        at_least("storage_rollback", "version", version, 1)?;
        run(
            "storage_rollback",
            "storage",
            &RollbackRequest { key, version, time: "" },
            whole,
        )
    }

    /// Writes a new version of `key` that copies the version current at `time` (RFC 3339).
    pub fn rollback_to(&self, key: &str, time: &str) -> Result<StorageRevision> {
        if time.is_empty() {
            return Err(Error::new(Errno::EINVAL, "storage_rollback", "an empty time"));
        }
        run(
            "storage_rollback",
            "storage",
            &RollbackRequest { key, version: 0, time },
            whole,
        )
    }

    /// Returns, in byte order, at most `limit` keys (0: the host's default, 100; at most
    /// 1,000) that start with `prefix` and come after `after`, and the `after` of the next
    /// page. Deleted keys are not listed.
    pub fn list_page(&self, prefix: &str, after: &str, limit: i64) -> Result<StoragePage> {
        at_least("storage_list", "limit", limit, 0)?;
        run("storage_list", "storage", &ListRequest { prefix, after, limit }, whole)
    }

    /// Returns an iterator over every key that starts with `prefix`, in byte order, reading a
    /// page at a time. It yields one error and stops if a page cannot be read.
    pub fn list(&self, prefix: &str) -> impl Iterator<Item = Result<StorageEntry>> {
        let (store, prefix) = (*self, prefix.to_string());
        let mut after = Some(String::new());
        pages(move || {
            let a = after.take()?;
            Some(store.list_page(&prefix, &a, 0).map(|page| {
                if !page.next.is_empty() && page.next != a {
                    after = Some(page.next);
                }
                page.entries
            }))
        })
    }

    /// Returns at most `limit` (0: the host's default) versions of `key`, newest first, older
    /// than `before` (0: from the newest).
    pub fn history_page(&self, key: &str, before: i64, limit: i64) -> Result<Vec<StorageRevision>> {
        at_least("storage_history", "limit", limit, 0)?;
        at_least("storage_history", "before", before, 0)?;
        run(
            "storage_history",
            "storage",
            &HistoryRequest { key, before, limit },
            |v: Versions| v.versions,
        )
    }

    /// Returns an iterator over every version of `key`, newest first, reading a page at a
    /// time. It yields one error and stops if a page cannot be read.
    pub fn history(&self, key: &str) -> impl Iterator<Item = Result<StorageRevision>> {
        let (store, key) = (*self, key.to_string());
        let mut before = Some(0);
        pages(move || {
            let b = before.take()?;
            Some(store.history_page(&key, b, 0).map(|versions| {
                // Versions count down to 1; a page that does not move down is the last.
                if let Some(last) = versions.last() {
                    if last.version > 1 && (b == 0 || last.version < b) {
                        before = Some(last.version);
                    }
                }
                versions
            }))
        })
    }
}

/// Flattens the pages `next_page` returns (`None` after the last) into one iterator that
/// yields a page's error and then stops.
fn pages<T>(mut next_page: impl FnMut() -> Option<Result<Vec<T>>>) -> impl Iterator<Item = Result<T>> {
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        let page = next_page()?;
        Some(match page {
            Ok(items) => items.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => {
                failed = true;
                vec![Err(e)]
            }
        })
    })
    .flatten()
}
