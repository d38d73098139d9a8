use std::fmt;

use crate::Errno;

/// The result of every fallible call of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A failed system call, as the host's `last_error` describes it.
///
/// [`errno`](Error::errno) is the code to match on; [`message`](Error::message) is the host's
/// explanation (such as the policy rule that denied the call), empty when the host gave none.
///
/// ```
/// # fn demo(err: aios::Error) {
/// if err.errno() == aios::Errno::EQUOTA {
///     // the budget is spent: stop asking
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: Errno,
    name: String,
    call: String,
    message: String,
    outside: bool,
}

impl Error {
    /// Returns an error of `call` with `code` and `message`.
    pub(crate) fn new(code: Errno, call: &str, message: impl Into<String>) -> Error {
        Error {
            code,
            name: code.name(),
            call: call.to_string(),
            message: message.into(),
            outside: false,
        }
    }

    /// Returns the error of a program that is not an aios agent.
    pub(crate) fn not_in_aios(call: &str) -> Error {
        Error {
            outside: true,
            ..Error::new(
                Errno::ENOSYS,
                call,
                "this call works only inside an aios agent (build for wasm32-wasi and run with `aios run`)",
            )
        }
    }

    /// Fills the error from a `last_error` record of the host, if it describes this code.
    pub(crate) fn with_record(mut self, rec: Record) -> Error {
        if rec.code == self.code.0 {
            if !rec.name.is_empty() {
                self.name = rec.name;
            }
            if !rec.call.is_empty() {
                self.call = rec.call;
            }
            self.message = rec.message;
        }
        self
    }

    /// Returns the errno the call failed with.
    pub fn errno(&self) -> Errno {
        self.code
    }

    /// Returns the host's name for the code, such as `"EPERM"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns the system call that failed, such as `"llm_generate"`.
    pub fn call(&self) -> &str {
        &self.call
    }

    /// Returns the host's explanation; it may be empty.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Reports whether the call failed because the program is not running as an aios agent:
    /// it was built for another target than `wasm32`, such as a host-side test.
    pub fn is_not_in_aios(&self) -> bool {
        self.outside
    }
}

impl fmt::Display for Error {
    /// Writes "aios: CALL: NAME: MESSAGE", leaving out what is unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("aios: ")?;
        if !self.call.is_empty() {
            write!(f, "{}: ", self.call)?;
        }
        f.write_str(&self.name)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<Error> for Errno {
    fn from(e: Error) -> Errno {
        e.code
    }
}

/// The ABI's `Error` body, which `last_error` returns.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct Record {
    pub(crate) code: u32,
    pub(crate) name: String,
    pub(crate) call: String,
    pub(crate) message: String,
}
