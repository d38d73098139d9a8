package aios

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestListTools(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	tools, err := ListTools(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tools, h.tools) {
		t.Errorf("ListTools = %+v, want %+v", tools, h.tools)
	}
	if h.sent[0].body != "{}" {
		t.Errorf("tool_list body %q, want {}", h.sent[0].body)
	}
	h.checkClean(t)
}

func TestCallToolArguments(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		args any
		sent string // the arguments as sent
	}{
		{"struct", struct {
			Text string `json:"text"`
		}{"hi"}, `{"text":"hi"}`},
		{"map", map[string]any{"text": "hi", "n": 2}, `{"n":2,"text":"hi"}`},
		{"raw", json.RawMessage(` {"text": "hi"}`), `{"text":"hi"}`},
		{"string", `{"text": "hi"}`, `"{\"text\": \"hi\"}"`},
	} {
		res, err := CallTool(ctx, "echo", tc.args)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		}
		if err := json.Unmarshal([]byte(h.sent[len(h.sent)-1].body), &got); err != nil {
			t.Fatal(err)
		}
		if got.Name != "echo" || string(got.Arguments) != tc.sent {
			t.Errorf("%s: sent %s %s, want echo %s", tc.name, got.Name, got.Arguments, tc.sent)
		}
		if !strings.Contains(res.Content, `"text":"hi"`) || res.IsError {
			t.Errorf("%s: result %+v", tc.name, res)
		}
	}
	sent := len(h.sent)
	for name, args := range map[string]any{"array": []int{1}, "number": 3, "raw array": json.RawMessage(`[1]`), "raw null": json.RawMessage(`null`), "unmarshalable": func() {}} {
		if _, err := CallTool(ctx, "echo", args); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s arguments: err = %v, want ErrInvalid", name, err)
		}
	}
	if len(h.sent) != sent {
		t.Errorf("arguments that are not an object reached the host")
	}
	if _, err := CallTool(ctx, "echo", "[1]"); !errors.Is(err, ErrInvalid) {
		t.Errorf("a string without an object: err = %v, want the host's ErrInvalid", err)
	}
	h.checkClean(t)
}

func TestCallToolOutcomes(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	res, err := CallTool(ctx, "fail", nil)
	if err != nil || !res.IsError || res.Content != "it broke" {
		t.Errorf("a tool that failed = %+v, %v; want IsError, no error", res, err)
	}
	if sent := h.lastSent("tool_call"); !reflect.DeepEqual(sent["arguments"], map[string]any{}) {
		t.Errorf("nil arguments sent as %v, want {}", sent["arguments"])
	}
	res, err = CallTool(ctx, "big", nil)
	if err != nil || !res.Truncated || res.Bytes != 5<<20 {
		t.Errorf("a truncated output = %+v, %v", res, err)
	}
	for name, want := range map[string]Errno{"denied": ErrPermission, "nope": ErrNotFound} {
		_, err := CallTool(ctx, name, nil)
		var e *Error
		if !errors.As(err, &e) || e.Code != want || e.Call != "tool_call" || e.Message == "" {
			t.Errorf("tool %s: err = %#v, want %v from tool_call with the host's message", name, err, want)
		}
	}
	h.checkClean(t)
}

// TestReActLoop runs the loop an agent writes: generate, run the tools the model asks for,
// answer them, generate again.
func TestReActLoop(t *testing.T) {
	h := newFakeHost()
	h.answer = func(req generateRequest) (Response, Errno) {
		last := req.Messages[len(req.Messages)-1]
		if last.Role == RoleTool {
			return Response{Text: "done: " + last.Content, FinishReason: "stop"}, 0
		}
		return Response{Text: "let me see", FinishReason: FinishToolCalls, ToolCalls: []ToolCall{
			{ID: "c1", Name: req.Tools[0].Name, Arguments: `{"text":"x"}`},
			{ID: "c2", Name: req.Tools[0].Name, Arguments: `{}`},
		}}, 0
	}
	useHost(t, h)
	ctx := context.Background()
	tools, err := ListTools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Messages: []Message{UserMessage("go")}, Tools: tools[:1]}
	var resp Response
	for range 3 {
		if resp, err = Generate(ctx, req); err != nil {
			t.Fatal(err)
		}
		if resp.FinishReason != FinishToolCalls {
			break
		}
		req.Messages = append(req.Messages, resp.Message())
		for _, c := range resp.ToolCalls {
			res, err := RunToolCall(ctx, c)
			if errors.Is(err, ErrInvalid) {
				req.Messages = append(req.Messages, ToolMessage(c.ID, err.Error()))
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			req.Messages = append(req.Messages, res.Message(c.ID))
		}
	}
	if !strings.HasPrefix(resp.Text, "done: ") || !strings.Contains(resp.Text, "missing property 'text'") {
		t.Errorf("final answer %q: want the schema complaint as the last tool message", resp.Text)
	}
	m := h.requests[1].Messages
	if len(m) != 4 || m[1].Role != RoleAssistant || m[1].Content != "let me see" || len(m[1].ToolCalls) != 2 ||
		m[2].ToolCallID != "c1" || m[2].Content != `{"text":"x"}` || m[3].ToolCallID != "c2" {
		t.Errorf("second request's messages %+v", m)
	}
	if sent := h.lastSent("tool_call"); sent["arguments"] != "{}" {
		t.Errorf("RunToolCall sent arguments %#v, want the model's string", sent["arguments"])
	}
	if _, err := RunToolCall(ctx, ToolCall{ID: "c", Name: "fail"}); err != nil {
		t.Errorf("RunToolCall with no arguments: %v", err)
	}
	if sent := h.lastSent("tool_call"); !reflect.DeepEqual(sent["arguments"], map[string]any{}) {
		t.Errorf("empty model arguments sent as %#v, want {}", sent["arguments"])
	}
	h.checkClean(t)
}
