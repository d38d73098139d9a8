use std::time::Duration;

use crate::abi::{decode, with};
use crate::pending::{start_json, Waiter};
use crate::sys::Host;
use crate::{Call, Chunk, Request, Response, Result};

/// Asks an LLM for a generation and blocks until it is complete (one `llm_generate` call).
///
/// ```no_run
/// # fn demo() -> aios::Result<()> {
/// let resp = aios::generate(&aios::Request::prompt("Say hello"))?;
/// aios::output(resp.text)?;
/// # Ok(()) }
/// ```
pub fn generate(req: &Request) -> Result<Response> {
    let body = body(req, "llm_generate", false)?;
    let b = with(|a| a.call_result("llm_generate", &[], |h, out| h.llm_generate(&body, out)))?;
    decode("llm_generate", &b)
}

/// Like [`generate()`], but gives up after `timeout`: the generation is then cancelled and the
/// error is [`Errno::ETIMEDOUT`](crate::Errno::ETIMEDOUT).
pub fn generate_timeout(req: &Request, timeout: Duration) -> Result<Response> {
    submit(req)?.wait_timeout(timeout)
}

/// Starts a generation and returns at once. An agent may keep several calls in flight, up to
/// its calls-in-flight limit (past it, [`Errno::ELIMIT`](crate::Errno::ELIMIT)).
pub fn submit(req: &Request) -> Result<Call> {
    let body = body(req, "submit", false)?;
    start_json("llm_generate", &body, false)
}

/// Starts a streamed generation: iterate over the [`Stream`] for its chunks as the model
/// produces them, then call [`Stream::result`] for the whole response. The host also shows the
/// tokens in the agent's live log as they arrive.
///
/// ```no_run
/// # fn demo() -> aios::Result<()> {
/// let mut s = aios::stream(&aios::Request::prompt("Tell a story"))?;
/// for chunk in &mut s {
///     let chunk = chunk?;
///     aios::debug!("got {} bytes", chunk.text.len());
/// }
/// let resp = s.result()?;
/// # Ok(()) }
/// ```
pub fn stream(req: &Request) -> Result<Stream> {
    let body = body(req, "submit", true)?;
    Ok(Stream {
        call: start_json("llm_generate", &body, true)?,
        end: false,
    })
}

/// Checks that the host implements what `req` uses and returns its body.
fn body(req: &Request, call: &str, stream: bool) -> Result<Vec<u8>> {
    if let Some(what) = req.uses_1_1() {
        with(|a| a.require(1, call, what))?;
    }
    req.encode(call, stream)
}

/// A generation whose text arrives in chunks, started by [`stream`]. As an iterator it yields
/// the chunks not yet read, or one error and then nothing.
pub struct Stream {
    call: Call,
    end: bool,
}

impl Stream {
    /// Skips any chunks not yet read, waits for the generation to finish and returns the
    /// whole response: its `text` holds all the generated text.
    pub fn result(&mut self) -> Result<Response> {
        self.end = true;
        self.call.wait()
    }

    /// Asks the host to stop the generation; [`result`](Stream::result) then gives
    /// [`Errno::ECANCELED`](crate::Errno::ECANCELED), or the response if it had finished.
    pub fn cancel(&self) -> Result<()> {
        self.call.cancel()
    }
}

impl Iterator for Stream {
    type Item = Result<Chunk>;

    fn next(&mut self) -> Option<Result<Chunk>> {
        if self.end {
            return None;
        }
        match self.call.next_chunk() {
            Ok(Some(c)) => Some(Ok(c)),
            Ok(None) => {
                self.end = true;
                None
            }
            Err(e) => {
                self.end = true;
                Some(Err(e))
            }
        }
    }
}

impl Waiter for Stream {
    fn __handle(&self) -> Option<u32> {
        self.call.__handle()
    }
}
