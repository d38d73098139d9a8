package llm

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestOllamaToolCalls(t *testing.T) {
	f := startFakeOllama(t, 0)
	c := newTestOllama(t, CoreConfig{Name: "llama", BaseURL: f.url, Models: []string{fakeOllamaModel}}, "")
	req := Request{Messages: []Message{{Role: "user", Content: "weather in Oslo?"}}, Tools: []Tool{weatherTool}}
	want := []ToolCall{{ID: "call_0", Name: "get_weather", Arguments: `{"city":"Oslo"}`}}
	for _, onChunk := range []func(Chunk){nil, func(Chunk) {}} {
		resp, err := c.Generate(context.Background(), req, onChunk)
		if err != nil {
			t.Fatalf("generate (streamed %v): %v", onChunk != nil, err)
		}
		if resp.FinishReason != FinishToolCalls || !reflect.DeepEqual(resp.ToolCalls, want) {
			t.Errorf("generate (streamed %v): %+v, want %+v", onChunk != nil, resp, want)
		}
	}
	seen, _ := f.seen()
	if tools := seen[0].Tools; len(tools) != 1 || tools[0].Type != "function" || tools[0].Function.Name != "get_weather" ||
		tools[0].Function.Parameters["properties"] == nil || !reflect.DeepEqual(tools[0].Function.Parameters["required"], []any{"city"}) {
		t.Errorf("tools sent: %+v", tools)
	}

	req.Messages = append(req.Messages,
		Message{Role: "assistant", ToolCalls: want},
		Message{Role: "tool", ToolCallID: "call_0", Content: "sunny"})
	resp, err := c.Generate(context.Background(), req, nil)
	if err != nil || len(resp.ToolCalls) != 0 || resp.FinishReason != "stop" {
		t.Fatalf("after the tool result: %+v, %v", resp, err)
	}
	seen, _ = f.seen()
	asked := seen[len(seen)-1].Messages[1]
	if len(asked.ToolCalls) != 1 || asked.ToolCalls[0].Function.Name != "get_weather" || asked.ToolCalls[0].Function.Arguments["city"] != "Oslo" {
		t.Errorf("assistant message sent: %+v", asked)
	}
	if got := seen[len(seen)-1].Messages[2]; got.Role != "tool" || got.ToolCallID != "call_0" {
		t.Errorf("tool message sent: %+v", got)
	}

	req.ToolChoice = ToolChoiceNone
	if _, err := c.Generate(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	if seen, _ = f.seen(); len(seen[len(seen)-1].Tools) != 0 {
		t.Error("tool choice none still sent the tools")
	}

	bad := Request{Messages: []Message{{Role: "assistant", ToolCalls: []ToolCall{{ID: "1", Name: "f", Arguments: "[1]"}}}}}
	if _, err := c.Generate(context.Background(), bad, nil); !errors.Is(err, ErrBadRequest) {
		t.Errorf("arguments that are not an object: err = %v, want ErrBadRequest", err)
	}
}

func TestOllamaEmbed(t *testing.T) {
	f := startFakeOllama(t, 0)
	c := newTestOllama(t, CoreConfig{Name: "llama", BaseURL: f.url, Models: []string{fakeOllamaModel}}, "")
	resp, err := c.Embed(context.Background(), EmbedRequest{Input: []string{"abc", "de"}})
	if err != nil {
		t.Fatal(err)
	}
	want := EmbedResponse{Model: fakeOllamaModel, Core: "llama", Vectors: [][]float32{{3, 1}, {2, 1}}, Usage: EmbedUsage{InputTokens: 7}}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("embed = %+v, want %+v", resp, want)
	}
	if _, err := c.Embed(context.Background(), EmbedRequest{Model: "nope", Input: []string{"x"}}); !errors.Is(err, ErrNoModel) {
		t.Errorf("unknown model: err = %v, want ErrNoModel", err)
	}
}
