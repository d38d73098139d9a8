package hostcalls

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel/llm"
)

func TestGenerateToolCallRoundTrip(t *testing.T) {
	e := newEnv(t, withEcho(t))
	body := `{"model":"echo-model","messages":[{"role":"user","content":"call get_weather {\"city\":\"Oslo\"}"}],
		"tools":[{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}],
		"tool_choice":"auto"}`
	ptr, n := e.put(reqAt, []byte(body))
	if got := e.aios("llm_generate", ptr, n, outAt); got != OK {
		t.Fatalf("llm_generate = %v (%+v)", got, e.lastErr())
	}
	var resp llm.Response
	if err := json.Unmarshal(e.takeResult(outAt), &resp); err != nil {
		t.Fatal(err)
	}
	want := []llm.ToolCall{{ID: llm.EchoToolCallID, Name: "get_weather", Arguments: `{"city":"Oslo"}`}}
	if resp.FinishReason != "tool_calls" || !reflect.DeepEqual(resp.ToolCalls, want) || resp.Text != "" {
		t.Fatalf("response = %+v, want tool calls %+v", resp, want)
	}

	// The agent answers the call; the echo core repeats the tool's result.
	next := `{"model":"echo-model","messages":[{"role":"user","content":"call get_weather"},
		{"role":"assistant","content":"","tool_calls":[{"id":"echo-call-1","name":"get_weather","arguments":"{}"}]},
		{"role":"tool","tool_call_id":"echo-call-1","content":"sunny"}],
		"tools":[{"name":"get_weather"}]}`
	ptr, n = e.put(reqAt, []byte(next))
	if got := e.aios("llm_generate", ptr, n, outAt); got != OK {
		t.Fatalf("llm_generate with a tool result = %v (%+v)", got, e.lastErr())
	}
	resp = llm.Response{}
	if err := json.Unmarshal(e.takeResult(outAt), &resp); err != nil || resp.Text != "echo: sunny" || resp.FinishReason != "stop" {
		t.Fatalf("response = %+v, %v", resp, err)
	}
}

func TestGenerateClassRoutes(t *testing.T) {
	e := newEnv(t)
	ptr, n := e.put(reqAt, []byte(`{"class":"fast","messages":[{"role":"user","content":"hi"}]}`))
	if got := e.aios("llm_generate", ptr, n, outAt); got != OK {
		t.Fatalf("llm_generate = %v (%+v)", got, e.lastErr())
	}
	if req := e.core.lastRequest(); req.Model != "fast" || req.Class != "" {
		t.Fatalf("the core saw model %q class %q; want the class as the routed name", req.Model, req.Class)
	}
	e.takeResult(outAt)
}

func TestGenerateToolErrors(t *testing.T) {
	tools := make([]string, MaxTools+1)
	for i := range tools {
		tools[i] = `{"name":"t` + strings.Repeat("x", i) + `"}`
	}
	user := `"messages":[{"role":"user","content":"x"}]`
	tests := []struct{ name, body, msg string }{
		{"model and class", `{"model":"m","class":"c",` + user + `}`, "both model"},
		{"too many tools", `{` + user + `,"tools":[` + strings.Join(tools, ",") + `]}`, "at most 128"},
		{"tool without name", `{` + user + `,"tools":[{"description":"d"}]}`, "needs a name"},
		{"duplicate tool", `{` + user + `,"tools":[{"name":"a"},{"name":"a"}]}`, "twice"},
		{"parameters not an object", `{` + user + `,"tools":[{"name":"a","parameters":[1]}]}`, "JSON Schema object"},
		{"unknown tool choice", `{` + user + `,"tools":[{"name":"a"}],"tool_choice":"b"}`, "tool_choice"},
		{"required without tools", `{` + user + `,"tool_choice":"required"}`, "needs tools"},
		{"tool message without id", `{"messages":[{"role":"tool","content":"x"}]}`, "tool_call_id"},
		{"tool call without id", `{"messages":[{"role":"assistant","content":"","tool_calls":[{"name":"a"}]}]}`, "id and a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ptr, n := e.put(reqAt, []byte(tt.body))
			if got := e.aios("llm_generate", ptr, n, outAt); got != EINVAL {
				t.Fatalf("llm_generate = %v, want EINVAL", got)
			}
			if le := e.lastErr(); !strings.Contains(le.Message, tt.msg) {
				t.Fatalf("last_error %q does not mention %q", le.Message, tt.msg)
			}
		})
	}
}

func TestDecodeGenerateRequestTools(t *testing.T) {
	req, err := DecodeGenerateRequest([]byte(`{"messages":[{"role":"user","content":"x"}],"priority":-2,
		"tools":[{"name":"a","parameters":{ "type" : "object" }},{"name":"b","parameters":null}],"tool_choice":"a"}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(req.Tools[0].Parameters) != `{"type":"object"}` || req.Tools[1].Parameters != nil {
		t.Errorf("parameters = %s, %s; want compacted and null as none", req.Tools[0].Parameters, req.Tools[1].Parameters)
	}
	if req.Priority == nil || *req.Priority != -2 || req.ToolChoice != "a" {
		t.Errorf("decoded %+v", req)
	}
}
