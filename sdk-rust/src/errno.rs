use std::fmt;

/// An error code of the aios ABI (docs/ABI.md, section 3).
///
/// The constants carry the ABI's names (`Errno::EPERM`, `Errno::EQUOTA`, …). Codes are stable
/// across ABI versions; a newer host may return a code this crate does not name, which is
/// still a failure: its [`name`](Errno::name) is then `"errno N"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(pub u32);

impl Errno {
    /// Malformed request body or bad argument value.
    pub const EINVAL: Errno = Errno(1);
    /// A pointer range outside the agent's memory.
    pub const EFAULT: Errno = Errno(2);
    /// A request or response larger than the agent's limit.
    pub const E2BIG: Errno = Errno(3);
    /// Unknown call name; also what every call returns outside an aios agent.
    pub const ENOSYS: Errno = Errno(4);
    /// ABI version not supported: the host is older than a feature needs.
    pub const ENOTSUP: Errno = Errno(5);
    /// Not ready yet.
    pub const EAGAIN: Errno = Errno(6);
    /// A deadline passed.
    pub const ETIMEDOUT: Errno = Errno(7);
    /// The call was cancelled.
    pub const ECANCELED: Errno = Errno(8);
    /// Unknown result id or handle.
    pub const EBADF: Errno = Errno(9);
    /// Denied by policy.
    pub const EPERM: Errno = Errno(10);
    /// A token or money budget is exhausted.
    pub const EQUOTA: Errno = Errno(11);
    /// A per-agent limit was reached (results held, calls in flight, output bytes).
    pub const ELIMIT: Errno = Errno(12);
    /// The LLM backend (or a tool's source) failed after retries.
    pub const EBACKEND: Errno = Errno(13);
    /// A stream has no more chunks.
    pub const EEOF: Errno = Errno(14);
    /// A buffer is too small.
    pub const ERANGE: Errno = Errno(15);
    /// Nothing to report, or an unknown model, memory entry, storage key or tool.
    pub const ENOENT: Errno = Errno(16);
    /// A host fault (the host logged it), or a result this crate could not decode.
    pub const EINTERNAL: Errno = Errno(17);

    /// Returns the code as the ABI passes it.
    pub fn code(self) -> u32 {
        self.0
    }

    /// Returns the code's ABI name, such as `"EPERM"`, or `"errno N"` for a code this crate
    /// does not know.
    pub fn name(self) -> String {
        match self.info() {
            Some((name, _)) => name.to_string(),
            None => format!("errno {}", self.0),
        }
    }

    /// Returns what the code means in plain words.
    pub fn meaning(self) -> &'static str {
        match self.info() {
            Some((_, meaning)) => meaning,
            None => "unknown error code",
        }
    }

    fn info(self) -> Option<(&'static str, &'static str)> {
        Some(match self.0 {
            0 => ("OK", "success"),
            1 => ("EINVAL", "malformed request or bad argument"),
            2 => ("EFAULT", "pointer range outside the agent's memory"),
            3 => ("E2BIG", "request or response larger than the agent's limit"),
            4 => ("ENOSYS", "unknown call"),
            5 => ("ENOTSUP", "ABI version not supported"),
            6 => ("EAGAIN", "not ready yet"),
            7 => ("ETIMEDOUT", "deadline passed"),
            8 => ("ECANCELED", "call cancelled"),
            9 => ("EBADF", "unknown result id or handle"),
            10 => ("EPERM", "denied by policy"),
            11 => ("EQUOTA", "budget exhausted"),
            12 => ("ELIMIT", "per-agent limit reached"),
            13 => ("EBACKEND", "LLM backend failed"),
            14 => ("EEOF", "no more chunks"),
            15 => ("ERANGE", "buffer too small"),
            16 => ("ENOENT", "not found"),
            17 => ("EINTERNAL", "host fault"),
            _ => return None,
        })
    }
}

impl fmt::Display for Errno {
    /// Writes the code's meaning and name, such as "denied by policy (EPERM)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.info() {
            Some((name, meaning)) => write!(f, "{} ({})", meaning, name),
            None => write!(f, "errno {}", self.0),
        }
    }
}
