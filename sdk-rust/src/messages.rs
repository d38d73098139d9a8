//! Messages between the agents of one run tree (ABI 1.3, docs/ABI.md section 4.2; on a host
//! that implements ABI 1.4, [`send`] and [`recv`] carry the body as bytes: `msg_send_bytes` and
//! `msg_recv_bytes`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::abi::with;
use crate::agents::{millis, run, start_agent_call};
use crate::sys::Host;
use crate::{Pending, Result};

/// A message from another agent of the same run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Mail {
    /// The sender's process id.
    #[serde(default)]
    pub from: u64,
    /// What it sent.
    #[serde(default, with = "crate::base64::serde_bytes")]
    pub body: Vec<u8>,
}

#[derive(Serialize)]
struct SendRequest<'a> {
    to: u64,
    #[serde(with = "crate::base64::serde_bytes")]
    body: &'a [u8],
}

#[derive(Serialize)]
struct RecvRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
struct Empty {}

/// Puts `body` in the mailbox of agent `to`: this agent's [`parent`](crate::parent), one of
/// its children, or a sibling (another child of its parent), which policy must grant
/// (`calls = ["msg_send"]`).
///
/// It never blocks: a full mailbox gives [`Errno::EAGAIN`](crate::Errno::EAGAIN) at once, and
/// the sender may retry. A body past the host's bound (64 KiB by default) is
/// [`Errno::E2BIG`](crate::Errno::E2BIG); an agent that is not a relative, or has ended,
/// [`Errno::ENOENT`](crate::Errno::ENOENT).
///
/// ```no_run
/// # fn demo() -> aios::Result<()> {
/// if let Some(parent) = aios::parent() {
///     aios::send(parent, b"done")?;
/// }
/// # Ok(()) }
/// ```
pub fn send(to: u64, body: &[u8]) -> Result<()> {
    if with(|a| a.has(4)) {
        return with(|a| a.call("msg_send_bytes", &[], |h| h.msg_send_bytes(to, body)));
    }
    run::<_, Empty>("msg_send", &SendRequest { to, body }).map(|_| ())
}

/// Takes the oldest message of this agent's mailbox, waiting at most `timeout` for one
/// (`None`: without a deadline). With none in time the error is
/// [`Errno::ETIMEDOUT`](crate::Errno::ETIMEDOUT); with a zero timeout and an empty mailbox,
/// [`Errno::EAGAIN`](crate::Errno::EAGAIN). Messages from one sender arrive in the order sent.
pub fn recv(timeout: Option<Duration>) -> Result<Mail> {
    if with(|a| a.has(4)) {
        let (from, body) = with(|a| a.recv_bytes(nanos(timeout)))?;
        return Ok(Mail { from, body });
    }
    run(
        "msg_recv",
        &RecvRequest {
            timeout_ms: millis(timeout),
        },
    )
}

/// Returns a timeout as `msg_recv_bytes`'s `timeout_ns`: -1 (no deadline) for `None`,
/// saturating at `i64::MAX`.
fn nanos(timeout: Option<Duration>) -> i64 {
    timeout.map_or(-1, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Starts [`recv`] asynchronously, for [`wait_any`](crate::wait_any).
pub fn start_recv(timeout: Option<Duration>) -> Result<Pending<Mail>> {
    start_agent_call(
        "msg_recv",
        &RecvRequest {
            timeout_ms: millis(timeout),
        },
    )
}
