package aios

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestToolCallingRoundTrip(t *testing.T) {
	h := newFakeHost()
	h.answer = func(req generateRequest) (Response, Errno) {
		last := req.Messages[len(req.Messages)-1]
		if last.Role == RoleTool {
			return Response{Text: "it is " + last.Content, FinishReason: "stop"}, 0
		}
		return Response{FinishReason: FinishToolCalls, ToolCalls: []ToolCall{{ID: "c1", Name: req.Tools[0].Name, Arguments: `{"city":"Oslo"}`}}}, 0
	}
	useHost(t, h)
	weather := Tool{Name: "get_weather", Description: "Weather now", Parameters: json.RawMessage(`{"type":"object"}`)}
	req := Request{Class: "fast", Messages: []Message{UserMessage("weather in Oslo?")}, Tools: []Tool{weather},
		ToolChoice: ToolChoiceRequired, Priority: Prio(-1)}
	resp, err := Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.FinishReason != FinishToolCalls || len(resp.ToolCalls) != 1 {
		t.Fatalf("response %+v", resp)
	}
	var args struct{ City string }
	if err := resp.ToolCalls[0].Decode(&args); err != nil || args.City != "Oslo" {
		t.Fatalf("arguments %q: %+v, %v", resp.ToolCalls[0].Arguments, args, err)
	}
	sent := h.requests[0]
	if sent.Class != "fast" || sent.Model != "" || !reflect.DeepEqual(sent.Tools, []Tool{weather}) ||
		sent.ToolChoice != "required" || sent.Priority == nil || *sent.Priority != -1 {
		t.Fatalf("sent %+v", sent)
	}

	req.Messages = append(req.Messages, Message{Role: RoleAssistant, ToolCalls: resp.ToolCalls}, ToolMessage("c1", "sunny"))
	resp, err = Generate(context.Background(), req)
	if err != nil || resp.Text != "it is sunny" {
		t.Fatalf("after the tool result: %+v, %v", resp, err)
	}
	if m := h.requests[1].Messages; m[1].ToolCalls[0].ID != "c1" || m[2].Role != RoleTool || m[2].ToolCallID != "c1" {
		t.Fatalf("sent messages %+v", m)
	}
}

func TestVersion10HostRefusesOnly11Features(t *testing.T) {
	h := newFakeHost()
	h.minor = 0
	useHost(t, h)
	if _, err := Generate(context.Background(), Prompt("hi")); err != nil {
		t.Fatalf("a 1.0 request on a 1.0 host: %v", err)
	}
	ctx := context.Background()
	for name, req := range map[string]Request{
		"class":    {Class: "fast", Messages: []Message{UserMessage("x")}},
		"tools":    {Tools: []Tool{{Name: "f"}}, Messages: []Message{UserMessage("x")}},
		"priority": {Priority: Prio(1), Messages: []Message{UserMessage("x")}},
		"tool msg": {Messages: []Message{ToolMessage("c", "x")}},
	} {
		if _, err := Generate(ctx, req); !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "1.1") {
			t.Errorf("%s: err = %v, want ErrNotSupported naming 1.1", name, err)
		}
		if _, err := Submit(req); !errors.Is(err, ErrNotSupported) {
			t.Errorf("%s via Submit: err = %v, want ErrNotSupported", name, err)
		}
	}
	if _, err := Embed(ctx, "", "x"); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Embed: err = %v, want ErrNotSupported", err)
	}
	if len(h.requests) != 1 || len(h.embeds) != 0 || h.versionCalls != 5 {
		t.Errorf("%d requests and %d embeddings reached the host after %d handshakes", len(h.requests), len(h.embeds), h.versionCalls)
	}
}

func TestModelAndClassIsInvalid(t *testing.T) {
	useHost(t, newFakeHost())
	_, err := Generate(context.Background(), Request{Model: "m", Class: "c", Messages: []Message{UserMessage("x")}})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}

func TestEmbed(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	vs, err := Embed(context.Background(), "emb", "red apple", "x")
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]float32{{9, 2}, {1, 1}}; !reflect.DeepEqual(vs, want) {
		t.Fatalf("vectors %v, want %v", vs, want)
	}
	if got := h.embeds[0]; got.Model != "emb" || !reflect.DeepEqual(got.Input, []string{"red apple", "x"}) {
		t.Fatalf("sent %+v", got)
	}
	if _, err := Embed(context.Background(), "none", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a model without embeddings: err = %v, want ErrNotFound", err)
	}
	if _, err := Embed(context.Background(), "emb"); !errors.Is(err, ErrInvalid) {
		t.Errorf("no inputs: err = %v, want ErrInvalid", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Embed(ctx, "emb", "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: err = %v", err)
	}
	h.checkClean(t)
}
