// Package llm defines LLM cores: the backends the kernel schedules generations onto.
package llm

import (
	"context"
	"errors"
	"slices"
)

// Message is one turn of a conversation.
type Message struct {
	Role    string `json:"role"` // "system", "user", "assistant" or "tool"
	Content string `json:"content"`
	// ToolCalls are the calls an assistant message asked for (ABI 1.1).
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID names the call a "tool" message answers (ABI 1.1).
	ToolCallID string `json:"tool_call_id,omitempty"`
}

// Request asks a core for one generation. Its JSON form is ABI v1's GenerateRequest.
type Request struct {
	Model string `json:"model"`
	// Class asks for a capability class (or an operator alias) instead of a model (ABI 1.1).
	// See Routed.
	Class       string    `json:"class,omitempty"`
	Messages    []Message `json:"messages"`
	MaxTokens   int       `json:"max_tokens"`
	Temperature *float64  `json:"temperature"`
	Stream      bool      `json:"stream"`
	// Tools are the functions the model may call (ABI 1.1); cores pass them through.
	Tools []Tool `json:"tools,omitempty"`
	// ToolChoice is "auto" (or empty), "none", "required" or the name of one of Tools.
	ToolChoice string `json:"tool_choice,omitempty"`
	// Priority is the agent's scheduling hint (ABI 1.1): the kernel may use it to lower the
	// priority of this generation, never to raise it above the process's own. Nil: no hint.
	Priority *int `json:"priority,omitempty"`
}

// Routed returns req as a router sees it. The dispatcher resolves one name, looked up as an
// alias, then a class, then a model; a request that names a Class and no Model is routed by
// its Class, which becomes that name. The result's Class is empty.
func (req Request) Routed() Request {
	if req.Model == "" {
		req.Model = req.Class
	}
	req.Class = ""
	return req
}

// Usage counts tokens of one generation.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Response is a finished generation. Its JSON form is ABI v1's GenerateResponse.
type Response struct {
	Text string `json:"text"`
	// ToolCalls are the calls the model asks for; FinishReason is then "tool_calls" (ABI 1.1).
	ToolCalls    []ToolCall `json:"tool_calls,omitempty"`
	FinishReason string     `json:"finish_reason"` // "stop", "length", "tool_calls" or "canceled"
	Model        string     `json:"model"`
	Core         string     `json:"core"`
	Usage        Usage      `json:"usage"`
}

// Chunk is a piece of a streamed generation. Its JSON form is ABI v1's Chunk.
type Chunk struct {
	Text string `json:"text"`
}

// Core is one LLM backend.
//
// Generate must honour ctx: when it is cancelled the backend request is abandoned and Generate
// returns ctx's error promptly. onChunk, when not nil, receives the text as it arrives, in order,
// from the calling goroutine or one Generate waits for before returning.
type Core interface {
	Name() string
	// Models lists the model names the core serves; empty means any.
	Models() []string
	Generate(ctx context.Context, req Request, onChunk func(Chunk)) (Response, error)
}

// ErrNoModel is returned when no core serves the requested model.
var ErrNoModel = errors.New("no core serves that model")

// Serves reports whether c serves the model name: c lists it, or lists none (any model). A
// core with a method ServesModel(string) bool answers itself, without copying its list.
func Serves(c Core, name string) bool {
	if s, ok := c.(interface{ ServesModel(string) bool }); ok {
		return s.ServesModel(name)
	}
	ms := c.Models()
	return len(ms) == 0 || slices.Contains(ms, name)
}
