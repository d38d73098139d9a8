use serde::Deserialize;

use crate::{Message, ToolCall};

/// A finished generation (the ABI's `GenerateResponse`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Response {
    /// The generated text.
    pub text: String,
    /// The calls the model asks for; `finish_reason` is then `"tool_calls"` (ABI 1.1).
    pub tool_calls: Vec<ToolCall>,
    /// `"stop"`, `"length"`, `"tool_calls"` or `"canceled"`.
    pub finish_reason: String,
    /// The model that answered.
    pub model: String,
    /// The LLM core (backend) that served the request.
    pub core: String,
    /// The tokens the generation consumed.
    pub usage: Usage,
}

impl Response {
    /// The `finish_reason` of a response whose model asks for tool calls (ABI 1.1).
    pub const FINISH_TOOL_CALLS: &'static str = "tool_calls";

    /// Returns the assistant message that continues a conversation with this response: its
    /// text and the tool calls it asked for, which the next request must carry before the
    /// tool messages that answer them.
    pub fn message(&self) -> Message {
        Message {
            tool_calls: self.tool_calls.clone(),
            ..Message::assistant(self.text.clone())
        }
    }
}

/// The tokens a generation consumed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Usage {
    /// Tokens of the prompt.
    pub input_tokens: i64,
    /// Tokens generated.
    pub output_tokens: i64,
}

/// One piece of a streamed generation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Chunk {
    /// The text of this piece.
    pub text: String,
}
