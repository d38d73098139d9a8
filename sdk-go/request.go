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
)

// Message is one turn of a conversation.
type Message struct {
	Role    Role   `json:"role"`
	Content string `json:"content"`
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
}

// Prompt returns a request for the host's default model with the single user message s.
func Prompt(s string) Request { return Request{Messages: []Message{UserMessage(s)}} }

// Temperature returns a pointer to t, for Request.Temperature.
func Temperature(t float64) *float64 { return &t }

// generateRequest is the wire form of a Request. Every field is written, null included, so the
// body reads exactly as docs/ABI.md, section 5, shows it.
type generateRequest struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	MaxTokens   int       `json:"max_tokens"`
	Temperature *float64  `json:"temperature"`
	Stream      bool      `json:"stream"`
}

// encode returns r's JSON body, checking locally what the host would refuse with EINVAL.
func (r Request) encode(call string, stream bool) ([]byte, error) {
	if len(r.Messages) == 0 {
		return nil, &Error{Code: ErrInvalid, Call: call, Message: "a request needs at least one message"}
	}
	if r.MaxTokens < 0 {
		return nil, &Error{Code: ErrInvalid, Call: call, Message: fmt.Sprintf("max tokens %d is negative", r.MaxTokens)}
	}
	b, err := json.Marshal(generateRequest{
		Model:       r.Model,
		Messages:    r.Messages,
		MaxTokens:   r.MaxTokens,
		Temperature: r.Temperature,
		Stream:      stream,
	})
	if err != nil {
		return nil, &Error{Code: ErrInvalid, Call: call, Message: "encode request: " + err.Error()}
	}
	return b, nil
}
