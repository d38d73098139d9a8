//! The agent's connection to the host: the one-time version handshake, the errno-to-[`Error`]
//! conversion through `last_error`, and copying results out of the host's result table.

use std::cell::RefCell;

use crate::sys::{decode_msg_info, decode_result, Host, MsgInfoBuf, Platform, ResultBuf};
use crate::{Errno, Error, Result};

/// The ABI minor versions this crate asks for, newest first (section 4: an SDK may ask for
/// 1.4 and, refused, for an older one).
const MINORS: [u32; 5] = [4, 3, 2, 1, 0];

/// The size of the buffer messages are received into (`msg_recv_bytes`); a longer body is
/// read as a result.
const INBOX: usize = 4 << 10;

/// The host and what the handshake agreed with it.
pub(crate) struct Abi {
    host: Option<Platform>,
    /// `None` until the handshake; then the minor version agreed, or the handshake's error.
    minor: Option<std::result::Result<u32, Error>>,
    /// The buffer messages are received into (`msg_recv_bytes`), made at the first.
    inbox: Vec<u8>,
}

thread_local! {
    /// The host every public function of this crate uses. A guest has one thread; the
    /// host-side tests each install their own model of a host in their own thread.
    static STD: RefCell<Abi> = RefCell::new(Abi::new(crate::sys::platform()));
}

/// Runs `f` with this program's connection to the host.
pub(crate) fn with<R>(f: impl FnOnce(&mut Abi) -> R) -> R {
    STD.with(|a| f(&mut a.borrow_mut()))
}

/// Runs `f` with the connection unless it is in use (a value dropped during a call) or gone
/// (a thread ending); a destructor's best effort.
pub(crate) fn try_with(f: impl FnOnce(&mut Abi)) {
    let _ = STD.try_with(|a| {
        if let Ok(mut a) = a.try_borrow_mut() {
            f(&mut a)
        }
    });
}

/// Replaces this thread's host, for the host-side tests.
#[cfg(test)]
pub(crate) fn install(host: Box<dyn crate::sys::Host>) {
    STD.with(|a| *a.borrow_mut() = Abi::new(Some(host)));
}

impl Abi {
    pub(crate) fn new(host: Option<Platform>) -> Abi {
        Abi {
            host,
            minor: None,
            inbox: Vec::new(),
        }
    }

    /// Performs the handshake once and returns the host with its outcome on every call.
    fn ready(&mut self, call: &str) -> Result<&mut Platform> {
        let host = match self.host.as_mut() {
            Some(h) => h,
            None => return Err(Error::not_in_aios(call)),
        };
        let minor = self.minor.get_or_insert_with(|| {
            for minor in MINORS {
                if host.abi_version(1, minor) == 0 {
                    return Ok(minor);
                }
            }
            Err(Error::new(
                Errno::ENOTSUP,
                "abi_version",
                "the host does not implement aios ABI 1.0",
            ))
        });
        match minor {
            Ok(_) => Ok(host),
            Err(e) => Err(e.clone()),
        }
    }

    /// Fails with `ENOTSUP`, naming `what` needs it, unless the host implements ABI 1.`minor`.
    pub(crate) fn require(&mut self, minor: u32, call: &str, what: &str) -> Result<()> {
        self.ready(call)?;
        match self.minor {
            Some(Ok(have)) if have < minor => Err(Error::new(
                Errno::ENOTSUP,
                call,
                format!("{} needs aios ABI 1.{}; the host implements 1.{}", what, minor, have),
            )),
            _ => Ok(()),
        }
    }

    /// Reports whether the host agreed to ABI 1.`minor` or newer (performing the handshake).
    pub(crate) fn has(&mut self, minor: u32) -> bool {
        self.ready("abi_version").is_ok() && matches!(self.minor, Some(Ok(have)) if have >= minor)
    }

    /// Receives a message with `msg_recv_bytes` (ABI 1.4): the body lands in the inbox and is
    /// copied out of it; one longer than the inbox, which the host keeps as a result, is read
    /// with `result_read`. Returns the sender and the body.
    pub(crate) fn recv_bytes(&mut self, timeout_ns: i64) -> Result<(u64, Vec<u8>)> {
        const CALL: &str = "msg_recv_bytes";
        let mut inbox = std::mem::take(&mut self.inbox);
        if inbox.is_empty() {
            inbox = zeroed(INBOX)?;
        }
        let mut info = MsgInfoBuf::default();
        let got = self.call(CALL, &[], |h| h.msg_recv_bytes(timeout_ns, &mut inbox, &mut info));
        let (from, len, rid) = decode_msg_info(&info);
        let inline = inbox.get(..len as usize).map(<[u8]>::to_vec);
        let size = inbox.len();
        self.inbox = inbox;
        got?;
        if rid == 0 {
            return match inline {
                Some(body) => Ok((from, body)),
                None => Err(Error::new(
                    Errno::EINTERNAL,
                    CALL,
                    format!("the host reported a body of {} bytes in a buffer of {}", len, size),
                )),
            };
        }
        let host = self.ready(CALL)?;
        let body = read(host, rid, len).map_err(|e| {
            host.result_drop(rid);
            Error::new(e.errno(), CALL, format!("read result: {}: {}", e.name(), e.message()))
        })?;
        Ok((from, body))
    }

    /// Runs one system call named `name`. A failure is an [`Error`] filled from `last_error`,
    /// except for the codes in `expected`, outcomes the caller handles (`EAGAIN` from `poll`,
    /// `EEOF` from `stream_next`), which carry no message.
    pub(crate) fn call(&mut self, name: &str, expected: &[Errno], f: impl FnOnce(&mut Platform) -> u32) -> Result<()> {
        let host = self.ready(name)?;
        let e = Errno(f(host));
        if e.0 == 0 {
            return Ok(());
        }
        if expected.contains(&e) {
            return Err(Error::new(e, name, ""));
        }
        Err(describe(host, name, e))
    }

    /// Runs a system call that produces a result and returns the result's bytes.
    pub(crate) fn call_result(
        &mut self,
        name: &str,
        expected: &[Errno],
        f: impl FnOnce(&mut Platform, &mut ResultBuf) -> u32,
    ) -> Result<Vec<u8>> {
        let mut out = ResultBuf::default();
        self.call(name, expected, |h| f(h, &mut out))?;
        let (rid, len) = decode_result(&out);
        let host = self.ready(name)?;
        read(host, rid, len).map_err(|e| {
            host.result_drop(rid);
            Error::new(e.errno(), name, format!("read result: {}: {}", e.name(), e.message()))
        })
    }
}

/// Copies result `rid` of `len` bytes out of the host with `result_read`, which releases it.
/// The buffer is sized by the length the host returned; a length this agent's memory cannot
/// hold is an error, never an abort.
fn read(host: &mut Platform, rid: u32, len: u32) -> Result<Vec<u8>> {
    let mut buf = alloc_zeroed(len)?;
    let e = Errno(host.result_read(rid, &mut buf));
    if e.0 != 0 {
        return Err(describe(host, "result_read", e));
    }
    Ok(buf)
}

/// Returns `len` zero bytes, or `E2BIG` when the allocator cannot provide them.
fn alloc_zeroed(len: u32) -> Result<Vec<u8>> {
    match usize::try_from(len) {
        Ok(n) => zeroed(n),
        Err(_) => Err(too_big(u64::from(len))),
    }
}

fn too_big(len: u64) -> Error {
    Error::new(
        Errno::E2BIG,
        "result_read",
        format!("a result of {} bytes does not fit in the agent's memory", len),
    )
}

/// Returns `len` zero bytes, or `E2BIG` when the allocator cannot provide them.
pub(crate) fn zeroed(len: usize) -> Result<Vec<u8>> {
    let refuse = || too_big(len as u64);
    if len == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u8>(len).map_err(|_| refuse())?;
    // SAFETY: layout has a non-zero size. A null pointer is the allocator's refusal, reported
    // as an error. Otherwise the block holds len initialized (zero) bytes, allocated by the
    // global allocator with the layout of a [u8; len], which is what Vec<u8> with capacity len
    // frees. alloc_zeroed rather than resize: memory the host's length asks for is not
    // touched before the host writes it.
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout);
        if ptr.is_null() {
            return Err(refuse());
        }
        Ok(Vec::from_raw_parts(ptr, len, len))
    }
}

/// Returns the [`Error`] for errno `e` of `call`, filled from `last_error` when the host has a
/// matching record.
fn describe(host: &mut Platform, call: &str, e: Errno) -> Error {
    let err = Error::new(e, call, "");
    let mut out = ResultBuf::default();
    if host.last_error(&mut out) != 0 {
        return err;
    }
    let (rid, len) = decode_result(&out);
    let mut buf = match alloc_zeroed(len) {
        Ok(b) => b,
        Err(_) => {
            host.result_drop(rid);
            return err;
        }
    };
    if host.result_read(rid, &mut buf) != 0 {
        host.result_drop(rid);
        return err;
    }
    match serde_json::from_slice(&buf) {
        Ok(rec) => err.with_record(rec),
        Err(_) => err,
    }
}

/// Decodes the JSON result body of `call`; a body that does not decode is `EINTERNAL`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(call: &str, b: &[u8]) -> Result<T> {
    serde_json::from_slice(b).map_err(|e| Error::new(Errno::EINTERNAL, call, format!("decode result: {}", e)))
}

/// Encodes a request body of `call`; a value that does not encode is `EINVAL`.
pub(crate) fn encode<T: serde::Serialize + ?Sized>(call: &str, v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| Error::new(Errno::EINVAL, call, format!("encode request: {}", e)))
}
