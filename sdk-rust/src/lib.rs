//! The Rust SDK for aios agents: WebAssembly programs that run under the aios kernel and reach
//! the world only through its system calls. It is the guest side of the aios ABI v1.3
//! (docs/ABI.md in the aios repository).
//!
//! An agent is an ordinary Rust binary built for WASI:
//!
//! ```text
//! cargo build --release --target wasm32-wasi
//! aios run target/wasm32-wasi/release/agent.wasm --input 'Why is the sky blue?'
//! ```
//!
//! ```no_run
//! fn main() {
//!     if let Err(err) = run() {
//!         aios::error!("agent: {}", err);
//!         std::process::exit(1);
//!     }
//! }
//!
//! fn run() -> aios::Result<()> {
//!     let input = aios::input()?;
//!     let prompt = String::from_utf8_lossy(&input);
//!     aios::info!("asking: {}", prompt.trim());
//!     let resp = aios::generate(&aios::Request::prompt(prompt.trim()))?;
//!     aios::output(format!("{}\n", resp.text))
//! }
//! ```
//!
//! It reads its run input with [`input`], writes its run output with [`output`], logs with
//! [`log`] or the [`debug!`], [`info!`], [`warn!`] and [`error!`] macros (standard output and
//! standard error reach the same log; `std::env::args` holds the agent's name and the run's
//! arguments, `std::env::vars` the run's environment), and asks LLMs for text in three ways:
//!
//! - [`generate()`] blocks until the whole response is there ([`generate_timeout`] gives up
//!   after a while).
//! - [`stream`] returns a [`Stream`], an iterator over the text's chunks as the model
//!   produces them; [`Stream::result`] then gives the complete response.
//! - [`submit`] starts a generation and returns a [`Call`] at once, so one agent can keep
//!   several in flight; [`wait_any`] reports which finishes next, and [`Pending::wait`] or
//!   [`Pending::poll`] collects it.
//!
//! A [`Request`] may declare [`Tool`]s the model can call: the [`Response`] then carries
//! [`ToolCall`]s, which the agent runs and answers with [`Message::tool`] in the next request.
//! [`embed()`] returns embedding vectors. Both are ABI 1.1.
//!
//! ABI 1.2 adds what outlives a run and what the host runs for the agent:
//!
//! - [`memory()`] returns the agent's own [`Memory`] ([`Memory::shared`] a space shared within
//!   its tenant): add, get, update and delete texts with [`Metadata`], and
//!   [`search`](Memory::search) them by keywords, by meaning or both.
//! - [`storage()`] returns the agent's [`Storage`], a key-value store whose every write is a
//!   version: put, get, delete, list, history, rollback.
//! - [`list_tools`] returns the tools policy grants, ready for a request's `tools`;
//!   [`call_tool`] runs one, and [`run_tool_call`] runs a model's [`ToolCall`].
//!
//! ABI 1.3 lets agents work together within one run:
//!
//! - [`spawn`] starts a child agent (a module of the operator's agents directory) with its own
//!   input, limits and a budget carved from this agent's, and returns a [`Child`] to
//!   [`wait`](Child::wait) for or [`kill`](Child::kill).
//! - [`send`] puts a message in the mailbox of this agent's [`parent`], a child or a sibling;
//!   [`recv`] takes the oldest one of its own.
//!
//! `start_` methods ([`Memory::start_search`], [`Storage::start_get`], [`start_tool_call`],
//! [`Child::start_wait`], [`start_recv`]) start a call and return a [`Pending`] at once;
//! [`wait_any`] waits for generations and these alike.
//!
//! The kernel checks every call against policy, budgets and limits. A failure is an [`Error`]
//! carrying its [`Errno`] and the host's explanation:
//!
//! ```no_run
//! # fn demo() -> aios::Result<()> {
//! match aios::generate(&aios::Request::prompt("hi")) {
//!     Err(e) if e.errno() == aios::Errno::EQUOTA => aios::warn!("out of budget: {}", e.message()),
//!     Err(e) => return Err(e),
//!     Ok(resp) => aios::output(resp.text)?,
//! }
//! # Ok(()) }
//! ```
//!
//! The crate performs the `abi_version` handshake before its first call (asking for 1.3, then
//! 1.2, 1.1 and 1.0: on an older host the features of newer versions fail with
//! [`Errno::ENOTSUP`] and everything else works), copies every result out of the host and
//! releases it at once, and sizes every copy by the length the host reports, refusing one the
//! agent's memory cannot hold.
//!
//! # Notes
//!
//! Outside `wasm32` the crate compiles, so an agent's pure parts can be tested on the host,
//! but every call fails with [`Errno::ENOSYS`] ([`Error::is_not_in_aios`]). It also builds for
//! `wasm32-unknown-unknown`, for hosts that embed aios agents without WASI; `aios run` needs
//! a WASI command (`wasm32-wasi`), which exports `_start`.
//!
//! While a system call blocks, the whole agent waits: a guest has one thread.

#![deny(missing_docs)]

mod abi;
mod agents;
mod base64;
mod calls;
mod embed;
mod errno;
mod error;
mod generate;
mod io;
mod memory;
mod messages;
mod pending;
mod request;
mod response;
mod storage;
mod sys;
mod tools;

#[cfg(test)]
mod fakehost;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_agents;

pub use agents::{parent, spawn, Budget, Child, ChildLimits, ChildResult, ChildUsage, SpawnOptions};
pub use embed::embed;
pub use errno::Errno;
pub use error::{Error, Result};
pub use generate::{generate, generate_timeout, stream, submit, Stream};
#[doc(hidden)]
pub use io::__log;
pub use io::{input, log, output, Level};
pub use memory::{memory, metadata, Memory, MemoryEntry, MemoryHit, Metadata, Search};
pub use messages::{recv, send, start_recv, Mail};
pub use pending::{wait_any, Call, Pending, Waiter};
pub use request::{tool_choice, Message, Request, Role, Tool, ToolCall};
pub use response::{Chunk, Response, Usage};
pub use storage::{storage, Storage, StorageEntry, StorageItem, StoragePage, StorageRevision};
pub use tools::{call_tool, list_tools, run_tool_call, start_tool_call, ToolResult};
