package llm

import (
	"encoding/json"
	"fmt"
	"math"
)

// Check reports what makes req malformed, as an error matching ErrBadRequest: no messages, a
// message with an unknown role, a "tool" message without tool_call_id, a tool call without id
// or name, a tool without a name or with a name declared twice, parameters that are not a
// JSON object, a tool choice naming no declared tool, a negative max_tokens, or a temperature
// that is negative or not a number. Cores check requests with it before any round trip.
func (req Request) Check() error {
	if len(req.Messages) == 0 {
		return fmt.Errorf("%w: a request needs at least one message", ErrBadRequest)
	}
	for i, m := range req.Messages {
		if err := m.check(); err != nil {
			return fmt.Errorf("%w: messages[%d]: %v", ErrBadRequest, i, err)
		}
	}
	seen := make(map[string]bool, len(req.Tools))
	for i, t := range req.Tools {
		if err := t.check(seen); err != nil {
			return fmt.Errorf("%w: tools[%d]: %v", ErrBadRequest, i, err)
		}
	}
	switch c := req.ToolChoice; c {
	case "", ToolChoiceAuto, ToolChoiceNone:
	case ToolChoiceRequired:
		if len(req.Tools) == 0 {
			return fmt.Errorf("%w: tool_choice %q needs tools", ErrBadRequest, c)
		}
	default:
		if !seen[c] {
			return fmt.Errorf("%w: tool_choice %q is not auto, none, required or a declared tool", ErrBadRequest, c)
		}
	}
	if req.MaxTokens < 0 {
		return fmt.Errorf("%w: max_tokens %d is negative", ErrBadRequest, req.MaxTokens)
	}
	if t := req.Temperature; t != nil && (*t < 0 || math.IsNaN(*t) || math.IsInf(*t, 0)) {
		return fmt.Errorf("%w: temperature %v is not a non-negative number", ErrBadRequest, *t)
	}
	return nil
}

func (m Message) check() error {
	switch m.Role {
	case "system", "user":
		if len(m.ToolCalls) > 0 {
			return fmt.Errorf("role %q cannot carry tool_calls", m.Role)
		}
	case "assistant":
		for j, c := range m.ToolCalls {
			if c.ID == "" || c.Name == "" {
				return fmt.Errorf("tool_calls[%d] needs an id and a name", j)
			}
		}
	case "tool":
		if m.ToolCallID == "" {
			return fmt.Errorf("a tool message needs the tool_call_id it answers")
		}
	default:
		return fmt.Errorf("role %q is not one of system, user, assistant, tool", m.Role)
	}
	return nil
}

func (t Tool) check(seen map[string]bool) error {
	if t.Name == "" {
		return fmt.Errorf("a tool needs a name")
	}
	if seen[t.Name] {
		return fmt.Errorf("tool %q is declared twice", t.Name)
	}
	seen[t.Name] = true
	if len(t.Parameters) > 0 {
		var obj map[string]any
		if err := json.Unmarshal(t.Parameters, &obj); err != nil || obj == nil {
			return fmt.Errorf("tool %q: parameters must be a JSON Schema object", t.Name)
		}
	}
	return nil
}
