package llm

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aiosys/aios/internal/simtest"
)

var weatherTool = Tool{
	Name:        "get_weather",
	Description: "The weather in a city now",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`),
}

// checkWeatherCall checks that resp is one call of weatherTool with a city argument.
func checkWeatherCall(t *testing.T, what string, resp Response) {
	t.Helper()
	if resp.FinishReason != FinishToolCalls || len(resp.ToolCalls) != 1 {
		t.Fatalf("%s: %+v, want one tool call and finish reason tool_calls", what, resp)
	}
	call := resp.ToolCalls[0]
	var args struct {
		City *string `json:"city"`
	}
	if call.ID == "" || call.Name != weatherTool.Name || json.Unmarshal([]byte(call.Arguments), &args) != nil || args.City == nil {
		t.Fatalf("%s: tool call %+v, want get_weather with a city", what, call)
	}
}

func TestOpenAIToolsAgainstSimulator(t *testing.T) {
	base := simtest.Start(t)
	c := newTestOpenAI(t, CoreConfig{Name: "sim", BaseURL: base, Models: []string{simtest.Model}}, "", nil)
	req := Request{
		Messages:   []Message{{Role: "user", Content: "weather in Oslo?"}},
		Tools:      []Tool{weatherTool},
		ToolChoice: weatherTool.Name, // the simulator calls a forced tool every time
	}

	plain, err := c.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	checkWeatherCall(t, "generate", plain)

	streamed, err := c.Generate(context.Background(), req, func(Chunk) {})
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	checkWeatherCall(t, "stream", streamed)

	// The conversation continues with the call and its result; the simulator answers in text.
	req.Messages = append(req.Messages,
		Message{Role: "assistant", ToolCalls: plain.ToolCalls},
		Message{Role: "tool", ToolCallID: plain.ToolCalls[0].ID, Content: "sunny"})
	req.ToolChoice = ToolChoiceNone
	next, err := c.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("generate after the tool result: %v", err)
	}
	if next.FinishReason != "stop" || len(next.ToolCalls) != 0 || next.Text == "" {
		t.Fatalf("after the tool result: %+v, want text", next)
	}
}

func TestOpenAIEmbedAgainstSimulator(t *testing.T) {
	base := simtest.Start(t)
	c := newTestOpenAI(t, CoreConfig{Name: "sim", BaseURL: base, Models: []string{simtest.Model}}, "", nil)
	resp, err := c.Embed(context.Background(), EmbedRequest{Input: []string{"red apple", "green pear", "red apple"}})
	if err != nil {
		t.Fatalf("embed: %v", err)
	}
	if resp.Core != "sim" || resp.Model != simtest.Model || len(resp.Vectors) != 3 || resp.Usage.InputTokens == 0 {
		t.Fatalf("embed: core %q model %q, %d vectors, usage %+v", resp.Core, resp.Model, len(resp.Vectors), resp.Usage)
	}
	for i, v := range resp.Vectors {
		if len(v) == 0 || len(v) != len(resp.Vectors[0]) {
			t.Fatalf("vector %d has %d dimensions, vector 0 %d", i, len(v), len(resp.Vectors[0]))
		}
	}
	if _, err := c.Embed(context.Background(), EmbedRequest{}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("embed without input: err = %v, want ErrBadRequest", err)
	}
}
