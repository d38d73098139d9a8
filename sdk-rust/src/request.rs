use serde::{Deserialize, Serialize};

use crate::{Errno, Error, Result};

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions for the model.
    System,
    /// The user's words.
    User,
    /// The model's words.
    Assistant,
    /// A tool's result (ABI 1.1); see [`Message::tool`].
    Tool,
}

/// One turn of a conversation (the ABI's `Message`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// What it says.
    pub content: String,
    /// The calls an assistant message made (ABI 1.1): a [`Response`](crate::Response)'s
    /// `tool_calls` when continuing the conversation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// The call a [`Role::Tool`] message answers (ABI 1.1).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tool_call_id: String,
}

impl Message {
    fn new(role: Role, content: impl Into<String>) -> Message {
        Message {
            role,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: String::new(),
        }
    }

    /// Returns a system message.
    pub fn system(content: impl Into<String>) -> Message {
        Message::new(Role::System, content)
    }

    /// Returns a user message.
    pub fn user(content: impl Into<String>) -> Message {
        Message::new(Role::User, content)
    }

    /// Returns an assistant message.
    pub fn assistant(content: impl Into<String>) -> Message {
        Message::new(Role::Assistant, content)
    }

    /// Returns the message that answers the tool call with id `call_id` with `content`.
    pub fn tool(call_id: impl Into<String>, content: impl Into<String>) -> Message {
        Message {
            tool_call_id: call_id.into(),
            ..Message::new(Role::Tool, content)
        }
    }
}

/// A function the model may call (ABI 1.1), or a tool the host runs (ABI 1.2,
/// [`list_tools`](crate::list_tools)).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// The tool's name.
    pub name: String,
    /// What the tool does, for the model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The JSON Schema of the arguments object; `None` means no parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<serde_json::Value>,
}

/// The model's request to call a tool (ABI 1.1). Answer it with [`Message::tool`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The call's id, which the answering message names.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// A JSON object, encoded as a string, as the model wrote it. The model may write
    /// arguments its schema does not allow: check them before use.
    #[serde(default)]
    pub arguments: String,
}

impl ToolCall {
    /// Decodes the call's arguments; malformed arguments are [`Errno::EINVAL`].
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(&self.arguments)
            .map_err(|e| Error::new(Errno::EINVAL, "tool_call", format!("arguments of {}: {}", self.name, e)))
    }
}

/// The values of [`Request::tool_choice`] besides a tool's name (ABI 1.1).
pub mod tool_choice {
    /// The model decides whether to call tools (the default).
    pub const AUTO: &str = "auto";
    /// The model calls no tool.
    pub const NONE: &str = "none";
    /// The model calls at least one tool.
    pub const REQUIRED: &str = "required";
}

/// A request for a generation (the ABI's `GenerateRequest`).
///
/// ```
/// let req = aios::Request::prompt("Say hello").max_tokens(64).temperature(0.2);
/// assert_eq!(req.messages.len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    /// A model name or alias; empty means the host's default.
    pub model: String,
    /// A capability class (such as `"fast"`) instead of a model; set `model` or `class`, not
    /// both (ABI 1.1).
    pub class: String,
    /// The conversation so far; it needs at least one message.
    pub messages: Vec<Message>,
    /// Bounds the generated tokens; 0 means the host's default.
    pub max_tokens: i64,
    /// The sampling temperature; `None` means the model's default.
    pub temperature: Option<f64>,
    /// The functions the model may call (ABI 1.1).
    pub tools: Vec<Tool>,
    /// `"auto"` (or empty), `"none"`, `"required"`, or the name of one of `tools`, which the
    /// model must call (ABI 1.1).
    pub tool_choice: String,
    /// A scheduling hint (ABI 1.1): the host may lower this generation's priority to it,
    /// never raise it above the agent's own. `None`: no hint.
    pub priority: Option<i64>,
}

impl Request {
    /// Returns a request for the host's default model with the single user message `s`.
    pub fn prompt(s: impl Into<String>) -> Request {
        Request::new(vec![Message::user(s)])
    }

    /// Returns a request for the host's default model with `messages`.
    pub fn new(messages: Vec<Message>) -> Request {
        Request {
            messages,
            ..Request::default()
        }
    }

    /// Sets the model name or alias.
    pub fn model(mut self, model: impl Into<String>) -> Request {
        self.model = model.into();
        self
    }

    /// Sets the capability class (ABI 1.1).
    pub fn class(mut self, class: impl Into<String>) -> Request {
        self.class = class.into();
        self
    }

    /// Sets the bound on generated tokens.
    pub fn max_tokens(mut self, n: i64) -> Request {
        self.max_tokens = n;
        self
    }

    /// Sets the sampling temperature.
    pub fn temperature(mut self, t: f64) -> Request {
        self.temperature = Some(t);
        self
    }

    /// Sets the tools the model may call (ABI 1.1).
    pub fn tools(mut self, tools: Vec<Tool>) -> Request {
        self.tools = tools;
        self
    }

    /// Sets the tool choice (ABI 1.1).
    pub fn tool_choice(mut self, choice: impl Into<String>) -> Request {
        self.tool_choice = choice.into();
        self
    }

    /// Sets the priority hint (ABI 1.1).
    pub fn priority(mut self, p: i64) -> Request {
        self.priority = Some(p);
        self
    }

    /// Names a field of ABI 1.1 the request uses, if any.
    pub(crate) fn uses_1_1(&self) -> Option<&'static str> {
        if !self.class.is_empty() {
            return Some("a model class");
        }
        if !self.tools.is_empty() || !self.tool_choice.is_empty() {
            return Some("tools");
        }
        if self.priority.is_some() {
            return Some("a priority hint");
        }
        if self
            .messages
            .iter()
            .any(|m| m.role == Role::Tool || !m.tool_calls.is_empty())
        {
            return Some("tool messages");
        }
        None
    }

    /// Returns the request's JSON body, checking locally what the host would refuse with
    /// `EINVAL`.
    pub(crate) fn encode(&self, call: &str, stream: bool) -> Result<Vec<u8>> {
        if self.messages.is_empty() {
            return Err(Error::new(Errno::EINVAL, call, "a request needs at least one message"));
        }
        if self.max_tokens < 0 {
            return Err(Error::new(
                Errno::EINVAL,
                call,
                format!("max tokens {} is negative", self.max_tokens),
            ));
        }
        if !self.model.is_empty() && !self.class.is_empty() {
            return Err(Error::new(
                Errno::EINVAL,
                call,
                "a request names a model or a class, not both",
            ));
        }
        crate::abi::encode(
            call,
            &Wire {
                model: &self.model,
                class: &self.class,
                messages: &self.messages,
                max_tokens: self.max_tokens,
                temperature: self.temperature,
                stream,
                tools: &self.tools,
                tool_choice: &self.tool_choice,
                priority: self.priority,
            },
        )
    }
}

/// The wire form of a [`Request`]: the fields of ABI 1.0 always (null included), those of
/// ABI 1.1 only when set, so a request that uses none of them is exactly a 1.0 request.
#[derive(Serialize)]
struct Wire<'a> {
    model: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    class: &'a str,
    messages: &'a [Message],
    max_tokens: i64,
    temperature: Option<f64>,
    stream: bool,
    #[serde(skip_serializing_if = "<[Tool]>::is_empty")]
    tools: &'a [Tool],
    #[serde(skip_serializing_if = "str::is_empty")]
    tool_choice: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<i64>,
}
