use serde::{Deserialize, Serialize};

use crate::abi::decode;
use crate::calls::{run, start_call, whole};
use crate::{Errno, Error, Message, Pending, Result, Tool, ToolCall};

/// The outcome of a tool the host ran for the agent (ABI 1.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ToolResult {
    /// The tool's output, or its explanation when `is_error` is true.
    pub content: String,
    /// The tool ran and failed: a result to show the model, not a failed system call.
    pub is_error: bool,
    /// The output passed the tool's cap (1 MiB by default) and `content` holds only its
    /// start; `bytes` is then the size of the whole output.
    pub truncated: bool,
    /// The size of the whole output when `truncated`.
    pub bytes: i64,
}

impl ToolResult {
    /// Returns the tool message that answers the model's tool call `call_id` with this
    /// result's content.
    pub fn message(&self, call_id: impl Into<String>) -> Message {
        Message::tool(call_id, self.content.clone())
    }
}

#[derive(Serialize)]
struct CallRequest<'a> {
    name: &'a str,
    arguments: serde_json::Value,
}

#[derive(Deserialize)]
struct Tools {
    #[serde(default)]
    tools: Vec<Tool>,
}

#[derive(Serialize)]
struct ListRequest {}

/// Returns the tools policy lets the agent call, ready to put in a
/// [`Request`](crate::Request)'s `tools` so the model can ask for them.
pub fn list_tools() -> Result<Vec<Tool>> {
    run("tool_list", "host tools", &ListRequest {}, |t: Tools| t.tools)
}

/// Runs the host's tool `name` with `args` and returns its result. `args` serializes to a JSON
/// object (a struct, a map, `serde_json::json!({...})`), to null (`()`) for none, or to a
/// string holding a JSON object as text, such as a [`ToolCall`]'s `arguments` as the model
/// wrote them; anything else is [`Errno::EINVAL`].
///
/// The host checks the arguments against the tool's JSON Schema before it runs
/// ([`Errno::EINVAL`], with the schema's complaint). An unknown tool gives [`Errno::ENOENT`];
/// one policy does not grant [`Errno::EPERM`]; a tool's source that failed
/// [`Errno::EBACKEND`]; a call past its timeout [`Errno::ETIMEDOUT`], past the agent's rate for
/// the tool [`Errno::ELIMIT`]. A tool that ran and failed is no error: the result's
/// `is_error` is true.
///
/// ```no_run
/// # fn demo() -> aios::Result<()> {
/// let res = aios::call_tool("get-sum", &serde_json::json!({"a": 2, "b": 3}))?;
/// # Ok(()) }
/// ```
pub fn call_tool<A: Serialize + ?Sized>(name: &str, args: &A) -> Result<ToolResult> {
    run("tool_call", "host tools", &tool_request(name, args)?, whole)
}

/// Starts [`call_tool`] asynchronously and returns at once, so several tools can run at the
/// same time.
pub fn start_tool_call<A: Serialize + ?Sized>(name: &str, args: &A) -> Result<Pending<ToolResult>> {
    start_call("tool_call", "host tools", &tool_request(name, args)?, |call, b| {
        decode(call, b)
    })
}

/// Runs the tool a model asked for with the arguments it wrote, as it wrote them (the host
/// checks them). When they fail the tool's schema the error is [`Errno::EINVAL`]; an agent may
/// answer the call with `Message::tool(&call.id, err.to_string())` so the model can correct
/// them.
pub fn run_tool_call(call: &ToolCall) -> Result<ToolResult> {
    let arguments = if call.arguments.is_empty() {
        serde_json::Value::Object(Default::default())
    } else {
        serde_json::Value::String(call.arguments.clone())
    };
    run(
        "tool_call",
        "host tools",
        &CallRequest {
            name: &call.name,
            arguments,
        },
        whole,
    )
}

/// Returns the `tool_call` body for `args`: an object or a string holding one (the host checks
/// the string), null for the empty object.
fn tool_request<'a, A: Serialize + ?Sized>(name: &'a str, args: &A) -> Result<CallRequest<'a>> {
    let invalid = |why: String| Error::new(Errno::EINVAL, "tool_call", format!("arguments of {}: {}", name, why));
    let arguments = match serde_json::to_value(args).map_err(|e| invalid(e.to_string()))? {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        v @ (serde_json::Value::Object(_) | serde_json::Value::String(_)) => v,
        v => {
            let mut s = v.to_string();
            if s.len() > 40 {
                let mut end = 40;
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                s.truncate(end);
                s.push('…');
            }
            return Err(invalid(format!("not a JSON object: {}", s)));
        }
    };
    Ok(CallRequest { name, arguments })
}
