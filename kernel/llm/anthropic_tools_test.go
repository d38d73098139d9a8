package llm

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

func TestAnthropicToolUse(t *testing.T) {
	f := startFakeAnthropic(t, 0, "")
	c := newTestAnthropic(t, CoreConfig{Name: "claude", BaseURL: f.url, Models: []string{fakeAnthropicModel}}, "")
	req := Request{
		Messages:   []Message{{Role: "user", Content: "weather in Oslo?"}},
		Tools:      []Tool{weatherTool},
		ToolChoice: weatherTool.Name,
	}
	want := []ToolCall{{ID: "toolu_1", Name: "get_weather", Arguments: `{"city":"Oslo"}`}}
	plain, err := c.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	if plain.Text != "Let me look." || plain.FinishReason != FinishToolCalls || !reflect.DeepEqual(plain.ToolCalls, want) {
		t.Errorf("generate: %+v, want tool calls %+v", plain, want)
	}
	streamed, err := c.Generate(context.Background(), req, func(Chunk) {})
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	if streamed.FinishReason != FinishToolCalls || !reflect.DeepEqual(streamed.ToolCalls, want) || streamed.Usage.OutputTokens != 5 {
		t.Errorf("stream: %+v, want tool calls %+v", streamed, want)
	}

	seen, _ := f.seen()
	first := seen[0]
	if len(first.Tools) != 1 || first.Tools[0].Name != "get_weather" || first.Tools[0].Description != weatherTool.Description ||
		first.Tools[0].InputSchema["type"] != "object" || first.Tools[0].InputSchema["properties"] == nil ||
		!reflect.DeepEqual(first.Tools[0].InputSchema["required"], []any{"city"}) {
		t.Errorf("tools sent: %+v", first.Tools)
	}
	if tc := first.ToolChoice; tc == nil || tc.Type != "tool" || tc.Name != "get_weather" {
		t.Errorf("tool_choice sent: %+v", tc)
	}

	// Two results answer two calls: they share one user turn after the assistant's tool_use turn.
	req.ToolChoice = ToolChoiceAuto
	req.Messages = append(req.Messages,
		Message{Role: "assistant", ToolCalls: []ToolCall{want[0], {ID: "toolu_2", Name: "get_weather", Arguments: ""}}},
		Message{Role: "tool", ToolCallID: "toolu_1", Content: "sunny"},
		Message{Role: "tool", ToolCallID: "toolu_2", Content: "rain"})
	if _, err := c.Generate(context.Background(), req, nil); err != nil {
		t.Fatalf("generate with tool results: %v", err)
	}
	seen, _ = f.seen()
	last := seen[len(seen)-1]
	if len(last.Messages) != 3 {
		t.Fatalf("turns sent: %+v", last.Messages)
	}
	asked, answered := last.Messages[1], last.Messages[2]
	if asked.Role != "assistant" || len(asked.Content) != 2 || asked.Content[0].Type != "tool_use" ||
		asked.Content[0].ID != "toolu_1" || string(asked.Content[0].Input) != `{"city":"Oslo"}` || string(asked.Content[1].Input) != `{}` {
		t.Errorf("assistant turn sent: %+v", asked)
	}
	var content []map[string]any
	if answered.Role != "user" || len(answered.Content) != 2 || answered.Content[1].Type != "tool_result" ||
		answered.Content[1].ToolUseID != "toolu_2" || json.Unmarshal(answered.Content[1].Content, &content) != nil ||
		len(content) != 1 || content[0]["text"] != "rain" {
		t.Errorf("tool results sent: %+v", answered)
	}
}
