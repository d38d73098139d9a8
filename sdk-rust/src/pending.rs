use std::time::Duration;

use crate::abi::{decode, try_with, with, Abi};
use crate::sys::Host;
use crate::{Errno, Error, Result};

/// A system call running asynchronously on the host, started by [`submit`](crate::submit) (a
/// [`Call`]) or by a `start_` method such as [`Memory::start_search`](crate::Memory::start_search).
/// Finish it with [`wait`](Pending::wait), or with [`poll`](Pending::poll) until it reports an
/// outcome: either releases the host's handle. [`wait_any`] waits for several.
///
/// Dropping an unfinished `Pending` cancels the call and waits for the host to release it, so
/// an abandoned call never holds one of the agent's calls in flight.
pub struct Pending<T> {
    name: &'static str,
    handle: u32,
    stream: bool,
    decode: fn(&str, &[u8]) -> Result<T>,
    outcome: Option<Result<T>>,
}

/// An LLM generation running asynchronously on the host.
pub type Call = Pending<crate::Response>;

/// Submits call `name` with its JSON request `body` and returns its handle.
pub(crate) fn start<T>(
    name: &'static str,
    body: &[u8],
    stream: bool,
    decode: fn(&str, &[u8]) -> Result<T>,
) -> Result<Pending<T>> {
    let mut handle = 0u32;
    with(|a| a.call("submit", &[], |h| h.submit(name.as_bytes(), body, &mut handle)))?;
    Ok(Pending {
        name,
        handle,
        stream,
        decode,
        outcome: None,
    })
}

/// Starts `name` with `body`, decoding its JSON result as `T`.
pub(crate) fn start_json<T: serde::de::DeserializeOwned>(
    name: &'static str,
    body: &[u8],
    stream: bool,
) -> Result<Pending<T>> {
    start(name, body, stream, decode::<T>)
}

impl<T: Clone> Pending<T> {
    /// Reports the call's outcome if it has finished, `None` while it runs. It does not block.
    /// Once it has given an outcome the handle is released, and every later `poll` or `wait`
    /// gives the same outcome.
    pub fn poll(&mut self) -> Option<Result<T>> {
        if self.outcome.is_none() {
            let handle = self.handle;
            let outcome = with(|a| poll(a, handle))?;
            self.outcome = Some(outcome.and_then(|b| (self.decode)(self.name, &b)));
        }
        self.outcome.clone()
    }

    /// Blocks until the call has finished and returns its outcome.
    pub fn wait(&mut self) -> Result<T> {
        loop {
            if let Some(outcome) = self.poll() {
                return outcome;
            }
            self.step(-1)?;
        }
    }

    /// Like [`wait`](Pending::wait), but gives up when the call makes no progress for
    /// `timeout`: it then cancels the call, releases it, and fails with
    /// [`Errno::ETIMEDOUT`]. (For a stream, each chunk is progress.)
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<T> {
        let ns = i64::try_from(timeout.as_nanos()).unwrap_or(i64::MAX);
        loop {
            if let Some(outcome) = self.poll() {
                return outcome;
            }
            match self.step(ns) {
                Err(e) if e.errno() == Errno::ETIMEDOUT => {
                    self.abandon();
                    return Err(Error::new(
                        Errno::ETIMEDOUT,
                        "wait",
                        format!("{} gave no result within {:?}", self.name, timeout),
                    ));
                }
                Err(e) => return Err(e),
                Ok(()) => {}
            }
        }
    }

    /// Blocks until the call may have finished, at most `timeout_ns` (negative: no limit). For
    /// a stream it reads and discards one chunk, since a chunk ready would otherwise end every
    /// wait at once.
    fn step(&mut self, timeout_ns: i64) -> Result<()> {
        let (handle, stream) = (self.handle, self.stream);
        with(|a| {
            wait(a, &[handle], timeout_ns)?;
            if stream {
                next_chunk(a, handle).map(|_| ())?;
            }
            Ok(())
        })
    }

    /// Cancels the call and waits until the host releases it.
    fn abandon(&mut self) {
        if self.cancel().is_err() {
            return;
        }
        while self.poll().is_none() {
            if self.step(-1).is_err() {
                return;
            }
        }
    }
}

impl<T> Pending<T> {
    /// Asks the host to stop the call. The call still has to be finished with `wait` or
    /// `poll`, which then give [`Errno::ECANCELED`], or the result if it had already
    /// finished. Cancelling a finished call does nothing.
    pub fn cancel(&self) -> Result<()> {
        if self.outcome.is_some() {
            return Ok(());
        }
        let handle = self.handle;
        with(|a| a.call("cancel", &[], |h| h.cancel(handle)))
    }

    /// Reports whether the call's outcome is known (its handle is released).
    pub fn is_done(&self) -> bool {
        self.outcome.is_some()
    }

    /// Reads the stream's next chunk; `None` after the last.
    pub(crate) fn next_chunk(&self) -> Result<Option<crate::Chunk>> {
        let handle = self.handle;
        with(|a| next_chunk(a, handle))
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        if self.outcome.is_some() {
            return;
        }
        let (handle, stream) = (self.handle, self.stream);
        try_with(|a| {
            if a.call("cancel", &[], |h| h.cancel(handle)).is_err() {
                return;
            }
            while poll(a, handle).is_none() {
                if wait(a, &[handle], -1).is_err() || (stream && next_chunk(a, handle).is_err()) {
                    return;
                }
            }
        });
    }
}

/// Polls `handle`: `None` while it runs, else the call's outcome (its result's bytes).
fn poll(a: &mut Abi, handle: u32) -> Option<Result<Vec<u8>>> {
    match a.call_result("poll", &[Errno::EAGAIN], |h, out| h.poll(handle, out)) {
        Err(e) if e.errno() == Errno::EAGAIN && e.message().is_empty() => None,
        outcome => Some(outcome),
    }
}

/// Runs the ABI's `wait` over `handles`; a deadline that passes is a bare `ETIMEDOUT`.
fn wait(a: &mut Abi, handles: &[u32], timeout_ns: i64) -> Result<usize> {
    let mut index = 0u32;
    a.call("wait", &[Errno::ETIMEDOUT], |h| h.wait(handles, timeout_ns, &mut index))?;
    match usize::try_from(index) {
        Ok(i) if i < handles.len() => Ok(i),
        _ => Err(Error::new(
            Errno::EINTERNAL,
            "wait",
            format!("host returned index {} of {} handles", index, handles.len()),
        )),
    }
}

/// Reads `handle`'s next chunk with `stream_next`; `None` after the last.
fn next_chunk(a: &mut Abi, handle: u32) -> Result<Option<crate::Chunk>> {
    match a.call_result("stream_next", &[Errno::EEOF], |h, out| h.stream_next(handle, out)) {
        Err(e) if e.errno() == Errno::EEOF => Ok(None),
        Err(e) => Err(e),
        Ok(b) => decode("stream_next", &b).map(Some),
    }
}

/// A call running asynchronously on the host, which [`wait_any`] can wait for: a
/// [`Pending`] or a [`Stream`](crate::Stream).
pub trait Waiter {
    /// The host's handle of the call, `None` once it is released.
    #[doc(hidden)]
    fn __handle(&self) -> Option<u32>;
}

impl<T> Waiter for Pending<T> {
    fn __handle(&self) -> Option<u32> {
        match self.outcome {
            Some(_) => None,
            None => Some(self.handle),
        }
    }
}

/// Blocks until one of `calls` has finished (or, for a stream, has a chunk ready) and returns
/// its index. It does not finish the call: use that call's `wait` or `poll` for the outcome.
/// A call whose outcome is already known is reported at once.
///
/// ```no_run
/// # fn demo() -> aios::Result<()> {
/// let mut a = aios::submit(&aios::Request::prompt("one?"))?;
/// let mut b = aios::memory().start_search(&aios::Search::new("two"))?;
/// match aios::wait_any(&[&a, &b])? {
///     0 => println!("{}", a.wait()?.text),
///     _ => println!("{} hits", b.wait()?.len()),
/// }
/// # Ok(()) }
/// ```
pub fn wait_any(calls: &[&dyn Waiter]) -> Result<usize> {
    if calls.is_empty() {
        return Err(Error::new(Errno::EINVAL, "wait", "no calls to wait for"));
    }
    let mut handles = Vec::with_capacity(calls.len());
    for (i, c) in calls.iter().enumerate() {
        match c.__handle() {
            Some(h) => handles.push(h),
            None => return Ok(i),
        }
    }
    with(|a| wait(a, &handles, -1))
}
