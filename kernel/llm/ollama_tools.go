package llm

import (
	"encoding/json"
	"fmt"

	"github.com/ollama/ollama/api"
)

// ollamaMessage converts m to an Ollama chat message: an assistant's tool calls carry their
// arguments as a JSON object, and a "tool" message names the call it answers.
func ollamaMessage(m Message) (api.Message, error) {
	out := api.Message{Role: m.Role, Content: m.Content, ToolCallID: m.ToolCallID}
	for _, c := range m.ToolCalls {
		args := api.NewToolCallFunctionArguments()
		if err := json.Unmarshal([]byte(argumentsOrEmpty(c.Arguments)), &args); err != nil {
			return api.Message{}, fmt.Errorf("%w: tool call %q: arguments are not a JSON object: %v", ErrBadRequest, c.ID, err)
		}
		out.ToolCalls = append(out.ToolCalls, api.ToolCall{ID: c.ID, Function: api.ToolCallFunction{Name: c.Name, Arguments: args}})
	}
	return out, nil
}

// ollamaTools converts req's tools to Ollama function tools. Ollama has no tool choice: "none"
// sends no tools, and "required" or a tool's name are left to the model.
func ollamaTools(req Request) (api.Tools, error) {
	if req.ToolChoice == ToolChoiceNone {
		return nil, nil
	}
	var out api.Tools
	for _, t := range req.Tools {
		b, err := json.Marshal(map[string]any{
			"type":     "function",
			"function": map[string]any{"name": t.Name, "description": t.Description, "parameters": t.schema()},
		})
		if err != nil {
			return nil, fmt.Errorf("%w: tool %q: %v", ErrBadRequest, t.Name, err)
		}
		var tool api.Tool
		if err := json.Unmarshal(b, &tool); err != nil {
			return nil, fmt.Errorf("%w: tool %q: parameters Ollama cannot read: %v", ErrBadRequest, t.Name, err)
		}
		out = append(out, tool)
	}
	return out, nil
}

// ollamaToolCalls converts the tool calls of a chat response. A call without an id (older
// servers send none) gets "call_N", N counting the calls of the response from 0.
func ollamaToolCalls(calls []api.ToolCall, seen int) ([]ToolCall, error) {
	var out []ToolCall
	for i, c := range calls {
		args, err := json.Marshal(c.Function.Arguments)
		if err != nil {
			return nil, fmt.Errorf("tool call %q: encode arguments: %w", c.Function.Name, err)
		}
		id := c.ID
		if id == "" {
			id = fmt.Sprintf("call_%d", seen+i)
		}
		out = append(out, ToolCall{ID: id, Name: c.Function.Name, Arguments: argumentsOrEmpty(string(args))})
	}
	return out, nil
}
