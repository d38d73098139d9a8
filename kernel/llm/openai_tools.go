package llm

import (
	"maps"
	"slices"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

// openAIMessage converts m to a chat completions message: a "tool" message answers a call by
// its id, and an assistant message carries the tool calls it made.
func openAIMessage(m Message) openai.ChatCompletionMessageParamUnion {
	switch m.Role {
	case "system":
		return openai.SystemMessage(m.Content)
	case "user":
		return openai.UserMessage(m.Content)
	case "tool":
		return openai.ToolMessage(m.Content, m.ToolCallID)
	}
	if len(m.ToolCalls) == 0 {
		return openai.AssistantMessage(m.Content)
	}
	a := &openai.ChatCompletionAssistantMessageParam{}
	if m.Content != "" {
		a.Content.OfString = openai.String(m.Content)
	}
	for _, c := range m.ToolCalls {
		a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
			OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
				ID:       c.ID,
				Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Name, Arguments: argumentsOrEmpty(c.Arguments)},
			},
		})
	}
	return openai.ChatCompletionMessageParamUnion{OfAssistant: a}
}

// openAITools sets p's function tools and tool choice from req.
func openAITools(p *openai.ChatCompletionNewParams, req Request) {
	for _, t := range req.Tools {
		def := shared.FunctionDefinitionParam{Name: t.Name, Parameters: t.schema()}
		if t.Description != "" {
			def.Description = openai.String(t.Description)
		}
		p.Tools = append(p.Tools, openai.ChatCompletionFunctionTool(def))
	}
	switch req.ToolChoice {
	case "":
	case ToolChoiceAuto, ToolChoiceNone, ToolChoiceRequired:
		p.ToolChoice.OfAuto = openai.String(req.ToolChoice)
	default:
		p.ToolChoice.OfFunctionToolChoice = &openai.ChatCompletionNamedToolChoiceParam{
			Function: openai.ChatCompletionNamedToolChoiceFunctionParam{Name: req.ToolChoice},
		}
	}
}

// openAIToolCalls returns the function calls of a complete message.
func openAIToolCalls(calls []openai.ChatCompletionMessageToolCallUnion) []ToolCall {
	var out []ToolCall
	for _, c := range calls {
		if c.Type != "" && c.Type != "function" {
			continue
		}
		out = append(out, ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: argumentsOrEmpty(c.Function.Arguments)})
	}
	return out
}

// toolCallDeltas assembles streamed tool calls: the first delta of a call (by index) brings
// its id and name, later ones append to its arguments.
type toolCallDeltas struct {
	byIndex map[int64]*ToolCall
}

func (d *toolCallDeltas) add(deltas []openai.ChatCompletionChunkChoiceDeltaToolCall) {
	for _, x := range deltas {
		if d.byIndex == nil {
			d.byIndex = map[int64]*ToolCall{}
		}
		c := d.byIndex[x.Index]
		if c == nil {
			c = &ToolCall{}
			d.byIndex[x.Index] = c
		}
		if x.ID != "" {
			c.ID = x.ID
		}
		if x.Function.Name != "" {
			c.Name = x.Function.Name
		}
		c.Arguments += x.Function.Arguments
	}
}

// calls returns the assembled calls in index order.
func (d *toolCallDeltas) calls() []ToolCall {
	var out []ToolCall
	for _, i := range slices.Sorted(maps.Keys(d.byIndex)) {
		c := *d.byIndex[i]
		c.Arguments = argumentsOrEmpty(c.Arguments)
		out = append(out, c)
	}
	return out
}
