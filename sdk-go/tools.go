package aios

import "encoding/json"

// Tool declares a function the model may call (ABI 1.1).
type Tool struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Parameters is the JSON Schema of the arguments object; nil means no parameters.
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// ToolCall is the model's request to call a tool (ABI 1.1). Answer it with ToolMessage.
type ToolCall struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Arguments is a JSON object, encoded as a string, as the model wrote it. The model may
	// write arguments its schema does not allow: check them before use.
	Arguments string `json:"arguments"`
}

// Decode unmarshals the call's arguments into v.
func (c ToolCall) Decode(v any) error { return json.Unmarshal([]byte(c.Arguments), v) }

// The tool choices of a Request besides a tool's name.
const (
	ToolChoiceAuto     = "auto"     // the model decides (the default)
	ToolChoiceNone     = "none"     // the model calls no tool
	ToolChoiceRequired = "required" // the model calls at least one tool
)

// FinishToolCalls is Response.FinishReason when the model asks for tool calls.
const FinishToolCalls = "tool_calls"

// ToolMessage returns the message that answers the tool call with id callID with content.
func ToolMessage(callID, content string) Message {
	return Message{Role: RoleTool, Content: content, ToolCallID: callID}
}
