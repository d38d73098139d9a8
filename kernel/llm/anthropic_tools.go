package llm

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
)

// anthropicTurns converts the conversation's non-system messages to Messages API turns. An
// assistant message's tool calls become tool_use blocks after its text; "tool" messages become
// tool_result blocks, consecutive ones sharing one user turn as the API asks.
func anthropicTurns(msgs []Message) []anthropic.MessageParam {
	var out []anthropic.MessageParam
	for _, m := range msgs {
		switch m.Role {
		case "system":
		case "user":
			out = append(out, anthropic.NewUserMessage(anthropic.NewTextBlock(m.Content)))
		case "tool":
			block := anthropic.NewToolResultBlock(m.ToolCallID, m.Content, false)
			if n := len(out); n > 0 && out[n-1].Role == anthropic.MessageParamRoleUser && isToolResults(out[n-1]) {
				out[n-1].Content = append(out[n-1].Content, block)
				continue
			}
			out = append(out, anthropic.NewUserMessage(block))
		default:
			var blocks []anthropic.ContentBlockParamUnion
			if m.Content != "" || len(m.ToolCalls) == 0 {
				blocks = append(blocks, anthropic.NewTextBlock(m.Content))
			}
			for _, c := range m.ToolCalls {
				blocks = append(blocks, anthropic.NewToolUseBlock(c.ID, json.RawMessage(argumentsOrEmpty(c.Arguments)), c.Name))
			}
			out = append(out, anthropic.NewAssistantMessage(blocks...))
		}
	}
	return out
}

func isToolResults(m anthropic.MessageParam) bool {
	for _, b := range m.Content {
		if b.OfToolResult == nil {
			return false
		}
	}
	return true
}

// anthropicTools sets p's tools and tool choice from req. A JSON Schema's properties and
// required list map onto the API's input schema; its other keywords pass through.
func anthropicTools(p *anthropic.MessageNewParams, req Request) {
	for _, t := range req.Tools {
		schema := anthropic.ToolInputSchemaParam{ExtraFields: map[string]any{}}
		for k, v := range t.schema() {
			switch k {
			case "type":
			case "properties":
				schema.Properties = v
			case "required":
				schema.Required = stringList(v)
			default:
				schema.ExtraFields[k] = v
			}
		}
		tool := anthropic.ToolParam{Name: t.Name, InputSchema: schema}
		if t.Description != "" {
			tool.Description = anthropic.String(t.Description)
		}
		p.Tools = append(p.Tools, anthropic.ToolUnionParam{OfTool: &tool})
	}
	switch c := req.ToolChoice; c {
	case "":
	case ToolChoiceAuto:
		p.ToolChoice.OfAuto = &anthropic.ToolChoiceAutoParam{}
	case ToolChoiceNone:
		p.ToolChoice.OfNone = &anthropic.ToolChoiceNoneParam{}
	case ToolChoiceRequired:
		p.ToolChoice.OfAny = &anthropic.ToolChoiceAnyParam{}
	default:
		p.ToolChoice.OfTool = &anthropic.ToolChoiceToolParam{Name: c}
	}
}

func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// toolUseBlocks assembles the tool_use blocks of a stream: content_block_start brings a
// block's id and name, input_json_delta events its input, piece by piece.
type toolUseBlocks struct {
	byIndex map[int64]*ToolCall
	args    map[int64]*strings.Builder
}

func (b *toolUseBlocks) start(index int64, id, name string) {
	if b.byIndex == nil {
		b.byIndex, b.args = map[int64]*ToolCall{}, map[int64]*strings.Builder{}
	}
	b.byIndex[index] = &ToolCall{ID: id, Name: name}
	b.args[index] = &strings.Builder{}
}

func (b *toolUseBlocks) delta(index int64, partial string) {
	if sb, ok := b.args[index]; ok {
		sb.WriteString(partial)
	}
}

func (b *toolUseBlocks) calls() []ToolCall {
	var out []ToolCall
	for _, i := range slices.Sorted(maps.Keys(b.byIndex)) {
		c := *b.byIndex[i]
		c.Arguments = argumentsOrEmpty(b.args[i].String())
		out = append(out, c)
	}
	return out
}
