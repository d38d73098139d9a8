//! The calls of ABI 1.2 (docs/ABI.md, section 4.1): a JSON request body in, a JSON result out,
//! run blocking or started through `submit`.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::abi::{decode, encode, with};
use crate::pending::{start, Pending};
use crate::sys::Host;
use crate::Result;

/// Checks that the host implements ABI 1.2 (`what` names the feature for the error) and
/// returns the request's JSON body.
fn body<B: Serialize + ?Sized>(name: &str, what: &str, body: &B) -> Result<Vec<u8>> {
    with(|a| a.require(2, name, what))?;
    encode(name, body)
}

/// Runs call `name` with `req` and decodes its result as `W`, returning the part `pick`
/// chooses (such as the hits of `{"hits": [...]}`).
pub(crate) fn run<B: Serialize + ?Sized, W: DeserializeOwned, T>(
    name: &'static str,
    what: &str,
    req: &B,
    pick: fn(W) -> T,
) -> Result<T> {
    let body = body(name, what, req)?;
    let b = with(|a| a.call_result(name, &[], |h, out| h.call(name, &body, out)))?;
    decode(name, &b).map(pick)
}

/// Starts call `name` with `req` and returns at once; `decode` turns its result into a `T`.
pub(crate) fn start_call<B: Serialize + ?Sized, T>(
    name: &'static str,
    what: &str,
    req: &B,
    decode: fn(&str, &[u8]) -> Result<T>,
) -> Result<Pending<T>> {
    let body = body(name, what, req)?;
    start(name, &body, false, decode)
}

/// Returns its argument: the `pick` of a result used whole.
pub(crate) fn whole<T>(v: T) -> T {
    v
}
