package hostcalls

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aiosys/aios/kernel/llm"
)

func TestDecodeGenerateRequest(t *testing.T) {
	req, err := DecodeGenerateRequest([]byte(`{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"u"}],"max_tokens":5,"temperature":0.5,"stream":true,"future_field":{"x":1}}`))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if req.Model != "m" || len(req.Messages) != 2 || req.MaxTokens != 5 || req.Temperature == nil || *req.Temperature != 0.5 || !req.Stream {
		t.Fatalf("decoded %+v", req)
	}
	for _, bad := range []string{``, `null`, `"x"`, `{"messages":[]}`, `{"messages":[{"role":"tool","content":"x"}]}`,
		`{"messages":[{"role":"user","content":"x"}],"temperature":-1}`, `{"messages":[{"role":"user","content":1}]}`} {
		if _, err := DecodeGenerateRequest([]byte(bad)); ErrnoOf(err) != EINVAL {
			t.Errorf("DecodeGenerateRequest(%q) = %v, want EINVAL", bad, err)
		}
	}
}

// FuzzDecodeGenerateRequest checks that decoding never panics, that whatever it accepts is
// valid, and that an accepted request survives a round trip through its JSON form.
func FuzzDecodeGenerateRequest(f *testing.F) {
	for _, s := range []string{
		`{"messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"m","messages":[{"role":"system","content":""},{"role":"assistant","content":"a"}],"max_tokens":0,"temperature":null,"stream":false}`,
		`{"messages":[{"role":"user","content":"\u00e9\ud800"}],"max_tokens":9223372036854775807}`,
		`{"messages":[{"role":"user"}],"max_tokens":-1}`,
		`{"messages":[`, `[]`, `null`, ` {"MESSAGES":[{"ROLE":"user","content":"x"}]}`, `{"temperature":1e400}`,
		`{"class":"fast","messages":[{"role":"user","content":"call f {}"}],"tools":[{"name":"f","description":"d","parameters":{"type":"object"}}],"tool_choice":"f","priority":3}`,
		`{"messages":[{"role":"assistant","content":"","tool_calls":[{"id":"1","name":"f","arguments":"{}"}]},{"role":"tool","tool_call_id":"1","content":"r"}],"tools":[{"name":"f","parameters":null}]}`,
		`{"model":"m","class":"c","messages":[{"role":"user","content":"x"}]}`,
		`{"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","parameters":[]}],"tool_choice":"required"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeGenerateRequest(body)
		if err != nil {
			if ErrnoOf(err) != EINVAL {
				t.Fatalf("decode error %v is not EINVAL", err)
			}
			return
		}
		if err := validateRequest(req); err != nil {
			t.Fatalf("accepted an invalid request: %v", err)
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		back, err := DecodeGenerateRequest(again)
		if err != nil {
			t.Fatalf("round trip refused: %v", err)
		}
		if !reflect.DeepEqual(normalize(req), normalize(back)) {
			t.Fatalf("round trip changed %+v into %+v", req, back)
		}
	})
}

// normalize makes empty lists nil: the JSON form omits them, so a round trip cannot tell.
func normalize(r llm.Request) llm.Request {
	if len(r.Messages) == 0 {
		r.Messages = nil
	}
	if len(r.Tools) == 0 {
		r.Tools = nil
	}
	r.Messages = append([]llm.Message(nil), r.Messages...)
	for i := range r.Messages {
		if len(r.Messages[i].ToolCalls) == 0 {
			r.Messages[i].ToolCalls = nil
		}
	}
	return r
}
