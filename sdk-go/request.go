package aios

import (
	"encoding/json"
	"fmt"
)

// Role names who wrote a message.
type Role string

// The roles of the ABI's Message body.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool" // a tool's result (ABI 1.1); see ToolMessage
)

// Message is one turn of a conversation.
type Message struct {
	Role    Role   `json:"role"`
	Content string `json:"content"`
	// ToolCalls are the calls an assistant message made (ABI 1.1): put a Response's ToolCalls
	// here when continuing the conversation.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID is the call a RoleTool message answers (ABI 1.1).
	ToolCallID string `json:"tool_call_id,omitempty"`
}

// SystemMessage returns a system message with content s.
func SystemMessage(s string) Message { return Message{Role: RoleSystem, Content: s} }

// UserMessage returns a user message with content s.
func UserMessage(s string) Message { return Message{Role: RoleUser, Content: s} }

// AssistantMessage returns an assistant message with content s.
func AssistantMessage(s string) Message { return Message{Role: RoleAssistant, Content: s} }

// Request asks an LLM for a generation (the ABI's GenerateRequest).
type Request struct {
	// Model is a model name or alias; empty means the host's default.
	Model string
	// Messages is the conversation so far; it needs at least one message.
	Messages []Message
	// MaxTokens bounds the generated tokens; 0 means the host's default.
	MaxTokens int
	// Temperature is the sampling temperature; nil means the model's default.
	Temperature *float64
	// Class asks for a capability class (such as "fast") instead of a model; set Model or Class,
	// not both (ABI 1.1).
	Class string
	// Tools are the functions the model may call (ABI 1.1).
	Tools []Tool
	// ToolChoice is ToolChoiceAuto (or empty), ToolChoiceNone, ToolChoiceRequired, or the name
	// of one of Tools, which the model must call (ABI 1.1).
	ToolChoice string
	// Priority is a scheduling hint (ABI 1.1): the host may lower this generation's priority
	// to it, never raise it above the agent's own. Nil: no hint.
	Priority *int
}

// Prio returns a pointer to p, for Request.Priority.
func Prio(p int) *int { return &p }

// Prompt returns a request for the host's default model with the single user message s.
func Prompt(s string) Request { return Request{Messages: []Message{UserMessage(s)}} }

// Temperature returns a pointer to t, for Request.Temperature.
func Temperature(t float64) *float64 { return &t }

// generateRequest is the wire form of a Request. Every field is written, null included, so the
// body reads exactly as docs/ABI.md, section 5, shows it.
// The fields of ABI 1.1 are written only when set, so a request that uses none of them is
// exactly a 1.0 request.
type generateRequest struct {
	Model       string    `json:"model"`
	Class       string    `json:"class,omitempty"`
	Messages    []Message `json:"messages"`
	MaxTokens   int       `json:"max_tokens"`
	Temperature *float64  `json:"temperature"`
	Stream      bool      `json:"stream"`
	Tools       []Tool    `json:"tools,omitempty"`
	ToolChoice  string    `json:"tool_choice,omitempty"`
	Priority    *int      `json:"priority,omitempty"`
}

// uses11 names a field of ABI 1.1 that r uses, or returns "".
func (r Request) uses11() string {
	switch {
	case r.Class != "":
		return "a model class"
	case len(r.Tools) > 0 || r.ToolChoice != "":
		return "tools"
	case r.Priority != nil:
		return "a priority hint"
	}
	for _, m := range r.Messages {
		if m.Role == RoleTool || len(m.ToolCalls) > 0 {
			return "tool messages"
		}
	}
	return ""
}

// encode returns r's JSON body, checking locally what the host would refuse with EINVAL.
func (r Request) encode(call string, stream bool) ([]byte, error) {
	if len(r.Messages) == 0 {
		return nil, &Error{Code: ErrInvalid, Call: call, Message: "a request needs at least one message"}
	}
	if r.MaxTokens < 0 {
		return nil, &Error{Code: ErrInvalid, Call: call, Message: fmt.Sprintf("max tokens %d is negative", r.MaxTokens)}
	}
	if r.Model != "" && r.Class != "" {
		return nil, &Error{Code: ErrInvalid, Call: call, Message: "a request names a model or a class, not both"}
	}
	b, err := json.Marshal(generateRequest{
		Model:       r.Model,
		Class:       r.Class,
		Messages:    r.Messages,
		MaxTokens:   r.MaxTokens,
		Temperature: r.Temperature,
		Stream:      stream,
		Tools:       r.Tools,
		ToolChoice:  r.ToolChoice,
		Priority:    r.Priority,
	})
	if err != nil {
		return nil, &Error{Code: ErrInvalid, Call: call, Message: "encode request: " + err.Error()}
	}
	return b, nil
}
