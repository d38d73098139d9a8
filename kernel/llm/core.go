// Package llm defines LLM cores: the backends the kernel schedules generations onto.
package llm

import (
	"context"
	"errors"
)

// Message is one turn of a conversation.
type Message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

// Request asks a core for one generation. Its JSON form is ABI v1's GenerateRequest.
type Request struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	MaxTokens   int       `json:"max_tokens"`
	Temperature *float64  `json:"temperature"`
	Stream      bool      `json:"stream"`
}

// Usage counts tokens of one generation.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Response is a finished generation. Its JSON form is ABI v1's GenerateResponse.
type Response struct {
	Text         string `json:"text"`
	FinishReason string `json:"finish_reason"`
	Model        string `json:"model"`
	Core         string `json:"core"`
	Usage        Usage  `json:"usage"`
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
