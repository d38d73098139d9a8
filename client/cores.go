package client

import (
	"context"
	"net/http"
)

// Core health values (Core.Health).
const (
	CoreReady   = "ready"   // in rotation
	CoreCooling = "cooling" // out of rotation after failures, or paused at its backend's request
)

// CoreReport is the body of GET /v1/cores: the LLM cores every tenant's generations share.
type CoreReport struct {
	// Queued is how many generations wait in the scheduler's queue for a core.
	Queued int `json:"queued"`
	// WindowSeconds is the span each core's TokensPerSecond is measured over.
	WindowSeconds float64 `json:"window_seconds"`
	Cores         []Core  `json:"cores"`
}

// Core is one LLM core of the kernel.
type Core struct {
	Name string `json:"name"`
	// Kind is the backend's kind: "echo", "openai", "anthropic" or "ollama" (empty when the
	// kernel does not know it).
	Kind string `json:"kind,omitempty"`
	// Models are the models the core serves; empty means any. Class is the capability class it
	// answers to, Model the model asked for when a request names the class.
	Models []string `json:"models"`
	Class  string   `json:"class,omitempty"`
	Model  string   `json:"model,omitempty"`
	// Capacity is how many requests it may serve at once; zero means no bound.
	Capacity int `json:"capacity"`
	// InFlight is how many requests (generations and embeddings) it serves now.
	InFlight int `json:"in_flight"`
	// Queued is how many queued generations it may serve: one that several cores may serve
	// counts for each.
	Queued int `json:"queued"`
	// Health is CoreReady or CoreCooling; CooldownSeconds is how long until a cooling core is
	// back in rotation, Failures how many requests in a row failed on it.
	Health          string  `json:"health"`
	CooldownSeconds float64 `json:"cooldown_seconds"`
	Failures        int     `json:"failures"`
	// TokensPerSecond is the tokens it moved (input and output) over the last WindowSeconds,
	// per second; Tokens what it moved since the kernel started.
	TokensPerSecond float64 `json:"tokens_per_second"`
	Tokens          int64   `json:"tokens"`
}

// Cores returns the kernel's LLM cores and their load (GET /v1/cores).
func (c *Client) Cores(ctx context.Context) (CoreReport, error) {
	var r CoreReport
	err := c.call(ctx, http.MethodGet, "/v1/cores", nil, http.StatusOK, &r)
	return r, err
}
