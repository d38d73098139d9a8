// Package tools is the tool manager: the tools an operator configures ([[tools]] in aios.toml),
// each with a JSON Schema for its arguments, run for agents under per-agent rate limits,
// timeouts and output caps. Tools come from sources (Source): the built-in http_fetch, Extism
// plugins and MCP servers. The kernel decides every call by policy before Run, and records it.
package tools

import (
	"context"
	"encoding/json"
	"errors"
)

// Tool is one tool as an agent and a model see it: the shape a GenerateRequest's tools take
// (docs/ABI.md 5), so an agent hands tool_list's answer to llm_generate unchanged.
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"` // a JSON Schema object
}

// Info is a tool with what the operator and the kernel know of it.
type Info struct {
	Tool
	Kind   string // "http_fetch", "extism" or "mcp"
	Source string // the configured name of the plugin or server; the tool's name for built-ins
	// Destructive: the tool may change or destroy things outside aios (MCP's destructiveHint).
	// Its calls require an operator's confirmation unless the operator configured otherwise.
	Destructive bool
}

// Result is what a tool call gives the agent.
type Result struct {
	Content   string `json:"content"`   // the tool's text output, at most the output cap
	IsError   bool   `json:"is_error"`  // the tool ran and reported a failure, explained in Content
	Truncated bool   `json:"truncated"` // Content was cut at the output cap
	Bytes     int64  `json:"bytes"`     // the size of the whole output, before any cut
}

// Source is where tools come from: one MCP server, one Extism plugin, or a built-in.
// Implementations are safe for concurrent use; a call that hangs or a source that crashes
// fails its own calls only.
type Source interface {
	// Tools lists the source's tools. A source that cannot answer (a server that will not
	// start) returns an error; the manager lists its tools as unavailable.
	Tools(ctx context.Context) ([]Info, error)
	// Call runs tool name with args, a JSON object already validated against its schema. It
	// keeps at most limit bytes of output in Result.Content (Truncated and Bytes say what was
	// cut) and must not hold more than that in memory on the host. The context carries the
	// call's timeout.
	Call(ctx context.Context, name string, args json.RawMessage, limit int64) (Result, error)
	// Close stops the source (its server process, its plugin instances).
	Close() error
}

var (
	// ErrUnknownTool: no configured tool has the name (ENOENT to the agent).
	ErrUnknownTool = errors.New("unknown tool")
	// ErrInvalidArgs: the arguments are not a JSON object its schema accepts (EINVAL).
	ErrInvalidArgs = errors.New("invalid tool arguments")
	// ErrRateLimited: the agent's rate for the tool is used up (ELIMIT).
	ErrRateLimited = errors.New("tool rate limit reached")
	// ErrUnavailable: the tool's source failed (a server crashed, hung or printed garbage;
	// a plugin trapped) and is being restarted (EBACKEND).
	ErrUnavailable = errors.New("tool unavailable")
	// ErrRefused: http_fetch refused an address or a redirect (EPERM).
	ErrRefused = errors.New("refused")
)
