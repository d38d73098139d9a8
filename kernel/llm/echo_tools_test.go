package llm

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestEchoToolCall(t *testing.T) {
	tools := []Tool{{Name: "search"}, {Name: "get_weather"}}
	user := func(s string) []Message { return []Message{{Role: "user", Content: s}} }
	tests := []struct {
		name string
		req  Request
		want *ToolCall
	}{
		{"call without arguments", Request{Messages: user("call search"), Tools: tools},
			&ToolCall{ID: EchoToolCallID, Name: "search", Arguments: "{}"}},
		{"call with arguments", Request{Messages: user(` call get_weather {"city": "Oslo"} `), Tools: tools},
			&ToolCall{ID: EchoToolCallID, Name: "get_weather", Arguments: `{"city": "Oslo"}`}},
		{"arguments not an object", Request{Messages: user("call search [1]"), Tools: tools},
			&ToolCall{ID: EchoToolCallID, Name: "search", Arguments: "{}"}},
		{"undeclared tool", Request{Messages: user("call delete"), Tools: tools}, nil},
		{"no tools", Request{Messages: user("call search")}, nil},
		{"tool choice none", Request{Messages: user("call search"), Tools: tools, ToolChoice: ToolChoiceNone}, nil},
		{"not the last message", Request{Messages: append(user("call search"), Message{Role: "tool", ToolCallID: "x", Content: "r"}), Tools: tools}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := EchoToolCall(tt.req)
			if (tt.want == nil) == ok || (ok && got != *tt.want) {
				t.Fatalf("EchoToolCall = %+v, %v; want %+v", got, ok, tt.want)
			}
		})
	}
}

func TestEchoGenerateToolCallAndResult(t *testing.T) {
	e, err := NewEcho(CoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Messages: []Message{{Role: "user", Content: "call search {\"q\":\"go\"}"}}, Tools: []Tool{{Name: "search"}}}
	var chunks int
	resp, err := e.Generate(context.Background(), req, func(Chunk) { chunks++ })
	if err != nil {
		t.Fatal(err)
	}
	want := Response{ToolCalls: []ToolCall{{ID: EchoToolCallID, Name: "search", Arguments: `{"q":"go"}`}},
		FinishReason: FinishToolCalls, Model: EchoName, Core: EchoName, Usage: Usage{InputTokens: 3, OutputTokens: 2}}
	if !reflect.DeepEqual(resp, want) || chunks != 0 {
		t.Fatalf("tool call: %+v (%d chunks), want %+v", resp, chunks, want)
	}
	req.Messages = append(req.Messages, Message{Role: "assistant", ToolCalls: resp.ToolCalls},
		Message{Role: "tool", ToolCallID: EchoToolCallID, Content: "three results"})
	resp, err = e.Generate(context.Background(), req, nil)
	if err != nil || resp.Text != EchoPrefix+"three results" || resp.FinishReason != "stop" {
		t.Fatalf("after the result: %+v, %v", resp, err)
	}
}

func TestEchoEmbed(t *testing.T) {
	e, err := NewEcho(CoreConfig{Models: []string{"echo-embed"}})
	if err != nil {
		t.Fatal(err)
	}
	req := EmbedRequest{Input: []string{"Red apple pie", "red APPLE pie", "", "blue sky"}}
	a, err := e.Embed(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.Embed(context.Background(), req)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs differ")
	}
	if a.Model != "echo-embed" || a.Core != EchoName || a.Usage.InputTokens != 8 || len(a.Vectors) != 4 {
		t.Fatalf("response %+v", a)
	}
	if !reflect.DeepEqual(a.Vectors[0], a.Vectors[1]) {
		t.Error("case changed the vector")
	}
	for i, v := range a.Vectors {
		var norm float64
		for _, x := range v {
			norm += float64(x) * float64(x)
		}
		if len(v) != EchoDimensions || (i != 2 && math.Abs(norm-1) > 1e-6) || (i == 2 && norm != 0) {
			t.Errorf("vector %d: %v (squared norm %v)", i, v, norm)
		}
	}
	if _, err := e.Embed(context.Background(), EmbedRequest{}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("no input: err = %v, want ErrBadRequest", err)
	}
}

func TestRequestRouted(t *testing.T) {
	if r := (Request{Class: "fast"}).Routed(); r.Model != "fast" || r.Class != "" {
		t.Errorf("class only: %+v", r)
	}
	if r := (Request{Model: "m", Class: "fast"}).Routed(); r.Model != "m" || r.Class != "" {
		t.Errorf("model and class: %+v", r)
	}
}
