package aios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// ToolResult is the outcome of a tool the host ran for the agent (ABI 1.2).
type ToolResult struct {
	// Content is the tool's output, or its explanation when IsError is true.
	Content string `json:"content"`
	// IsError reports that the tool ran and failed: a result to show the model, not a failed
	// system call.
	IsError bool `json:"is_error"`
	// Truncated reports that the output passed the tool's cap (1 MiB by default) and Content
	// holds only its start; Bytes is then the size of the whole output.
	Truncated bool  `json:"truncated"`
	Bytes     int64 `json:"bytes"`
}

// Message returns the tool message that answers the model's tool call callID with r's content.
func (r ToolResult) Message(callID string) Message { return ToolMessage(callID, r.Content) }

type (
	toolListResult struct {
		Tools []Tool `json:"tools"`
	}
	toolCallRequest struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}
)

// ListTools returns the tools policy lets the agent call, ready to put in a Request's Tools so
// the model can ask for them.
func ListTools(ctx context.Context) ([]Tool, error) {
	return request[[]Tool]{
		name:   "tool_list",
		what:   "host tools",
		body:   struct{}{},
		decode: field("tool_list", func(r toolListResult) []Tool { return r.Tools }),
	}.run(ctx, std)
}

// CallTool runs the host's tool name with args and returns its result. args is one of:
//
//   - a string: a JSON object as text, such as a ToolCall's Arguments as the model wrote them;
//   - a json.RawMessage holding a JSON object;
//   - nil: no arguments, the empty object;
//   - any other value, marshalled with encoding/json, which must give an object (a struct or
//     a map).
//
// The host checks the arguments against the tool's JSON Schema before it runs (ErrInvalid, with
// the schema's complaint). An unknown tool gives ErrNotFound; one policy does not grant
// ErrPermission; a tool's source that failed ErrBackend; a call past its timeout ErrTimeout,
// past the agent's rate for the tool ErrLimit. A tool that ran and failed is no error: the
// result's IsError is true.
func CallTool(ctx context.Context, name string, args any) (ToolResult, error) {
	r, err := toolCall(name, args)
	if err != nil {
		return ToolResult{}, err
	}
	return r.run(ctx, std)
}

// StartToolCall starts CallTool asynchronously and returns at once, so several tools can run
// at the same time.
func StartToolCall(name string, args any) (*Pending[ToolResult], error) {
	r, err := toolCall(name, args)
	if err != nil {
		return nil, err
	}
	return r.start(std)
}

// RunToolCall runs the tool a model asked for with the arguments it wrote (none, "", is the
// empty object). When the model's arguments fail the tool's schema the error matches
// ErrInvalid; an agent may answer the call with ToolMessage(c.ID, err.Error()) so that the
// model can correct them.
func RunToolCall(ctx context.Context, c ToolCall) (ToolResult, error) {
	if c.Arguments == "" {
		return CallTool(ctx, c.Name, nil)
	}
	return CallTool(ctx, c.Name, c.Arguments)
}

func toolCall(name string, args any) (request[ToolResult], error) {
	raw, err := toolArguments(args)
	if err != nil {
		return request[ToolResult]{}, &Error{Code: ErrInvalid, Name: ErrInvalid.String(), Call: "tool_call", Message: "arguments of " + name + ": " + err.Error()}
	}
	return request[ToolResult]{
		name:   "tool_call",
		what:   "host tools",
		body:   toolCallRequest{Name: name, Arguments: raw},
		decode: whole[ToolResult]("tool_call"),
	}, nil
}

// toolArguments returns the ABI's arguments for args: a JSON string for a string, the object
// itself otherwise.
func toolArguments(args any) (json.RawMessage, error) {
	var raw []byte
	var err error
	switch a := args.(type) {
	case nil:
		return json.RawMessage(`{}`), nil
	case string:
		raw, err = json.Marshal(a)
		return raw, err
	case json.RawMessage:
		raw = a
	default:
		raw, err = json.Marshal(a)
		if err != nil {
			return nil, err
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		start := bytes.TrimSpace(raw)
		return nil, fmt.Errorf("not a JSON object: %.40q", start)
	}
	return raw, nil
}
