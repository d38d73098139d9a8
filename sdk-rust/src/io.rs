use crate::abi::with;
use crate::sys::Host;
use crate::Result;

/// Returns the run input: the bytes given to `aios run` (`--input`). It may be empty.
pub fn input() -> Result<Vec<u8>> {
    with(|a| a.call_result("input", &[], |h, out| h.input(out)))
}

/// Appends `b` to the run output. When the output limit would be passed, nothing is appended
/// and the error is [`Errno::ELIMIT`](crate::Errno::ELIMIT).
pub fn output(b: impl AsRef<[u8]>) -> Result<()> {
    let b = b.as_ref();
    with(|a| a.call("output", &[], |h| h.output(b)))
}

/// The severity of a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Detail for whoever debugs the agent.
    Debug = 0,
    /// What the agent is doing.
    Info = 1,
    /// Something unexpected the agent recovered from.
    Warn = 2,
    /// A failure.
    Error = 3,
}

/// Appends `msg` to the agent's log at `level`. The host truncates the log past its limit
/// without an error, so an error here means the call itself failed.
///
/// The [`debug!`](crate::debug!), [`info!`](crate::info!), [`warn!`](crate::warn!) and
/// [`error!`](crate::error!) macros format a line and log it, ignoring errors.
pub fn log(level: Level, msg: &str) -> Result<()> {
    with(|a| a.call("log", &[], |h| h.log(level as u32, msg.as_bytes())))
}

/// Logs `msg` at `level`, ignoring errors: the macros' best effort, since a failed log line
/// should not stop an agent.
#[doc(hidden)]
pub fn __log(level: Level, msg: &str) {
    let _ = log(level, msg);
}

/// Logs a line formatted like [`format!`] at [`Level::Debug`], ignoring errors.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => { $crate::__log($crate::Level::Debug, &::std::format!($($arg)*)) };
}

/// Logs a line formatted like [`format!`] at [`Level::Info`], ignoring errors.
#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => { $crate::__log($crate::Level::Info, &::std::format!($($arg)*)) };
}

/// Logs a line formatted like [`format!`] at [`Level::Warn`], ignoring errors.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => { $crate::__log($crate::Level::Warn, &::std::format!($($arg)*)) };
}

/// Logs a line formatted like [`format!`] at [`Level::Error`], ignoring errors. Unlike
/// [`Error`](crate::Error) it is no value: it writes to the agent's log.
#[macro_export]
macro_rules! error {
    ($($arg:tt)*) => { $crate::__log($crate::Level::Error, &::std::format!($($arg)*)) };
}
