package llm

import "encoding/json"

// Tool declares a function a model may call: ABI 1.1's Tool body. Cores translate it to their
// backend's form (an OpenAI function tool, an Anthropic tool, an Ollama tool).
type Tool struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Parameters is the JSON Schema of the arguments object; empty means no parameters.
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// ToolCall is a model's request to call a tool: ABI 1.1's ToolCall body.
type ToolCall struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Arguments is a JSON object, encoded as a string, as the model wrote it.
	Arguments string `json:"arguments"`
}

// The tool choices a Request may make besides naming one tool.
const (
	ToolChoiceAuto     = "auto"
	ToolChoiceNone     = "none"
	ToolChoiceRequired = "required"
)

// FinishToolCalls is the finish reason of a generation that ended by asking for tool calls.
const FinishToolCalls = "tool_calls"

// schema returns t's parameters as a JSON Schema object, an empty object schema when none
// were given.
func (t Tool) schema() map[string]any {
	out := map[string]any{}
	if len(t.Parameters) > 0 && json.Unmarshal(t.Parameters, &out) == nil {
		return out
	}
	return map[string]any{"type": "object", "properties": map[string]any{}}
}

// emptyArguments is the arguments of a call the model made without any.
const emptyArguments = "{}"

// argumentsOrEmpty returns s, or "{}" when s is blank.
func argumentsOrEmpty(s string) string {
	if s == "" {
		return emptyArguments
	}
	return s
}
