package aios

import (
	"encoding/json"
	"fmt"
)

// Response is a finished generation (the ABI's GenerateResponse).
type Response struct {
	Text string `json:"text"`
	// ToolCalls are the calls the model asks for; FinishReason is then FinishToolCalls
	// (ABI 1.1).
	ToolCalls    []ToolCall `json:"tool_calls,omitempty"`
	FinishReason string     `json:"finish_reason"` // "stop", "length", "tool_calls" or "canceled"
	Model        string     `json:"model"`         // the model that answered
	Core         string     `json:"core"`          // the LLM core (backend) that served the request
	Usage        Usage      `json:"usage"`
}

// Message returns the assistant message that continues a conversation with this response: its
// text and the tool calls it asked for, which the next request must carry before the tool
// messages that answer them.
func (r Response) Message() Message {
	return Message{Role: RoleAssistant, Content: r.Text, ToolCalls: r.ToolCalls}
}

// Usage counts the tokens a generation consumed.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Chunk is one piece of a streamed generation.
type Chunk struct {
	Text string `json:"text"`
}

// decodeBody unmarshals a result body of call into v.
func decodeBody(call string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("aios: %s: decode result: %w", call, err)
	}
	return nil
}
