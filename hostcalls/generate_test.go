package hostcalls

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel/llm"
)

func TestGenerateBlocking(t *testing.T) {
	e := newEnv(t)
	ptr, n := e.put(reqAt, generateBody("hello there", false))
	if got := e.aios("llm_generate", ptr, n, outAt); got != OK {
		t.Fatalf("llm_generate = %v (%+v)", got, e.lastErr())
	}
	var resp llm.Response
	if err := json.Unmarshal(e.takeResult(outAt), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Text != "echo: hello there" || resp.FinishReason != "stop" || resp.Core != "test" || resp.Usage.OutputTokens != 3 {
		t.Fatalf("response = %+v", resp)
	}
	if e.tokens() != "" {
		t.Fatalf("a non-streaming generation emitted tokens %q", e.tokens())
	}
	if e.g.BlockedTime() <= 0 {
		t.Fatal("a blocking generation added no blocked time")
	}
}

func TestGenerateStreamingReachesTheLiveLog(t *testing.T) {
	e := newEnv(t)
	ptr, n := e.put(reqAt, generateBody("one two", true))
	if got := e.aios("llm_generate", ptr, n, outAt); got != OK {
		t.Fatalf("llm_generate = %v", got)
	}
	if got := e.tokens(); got != "one two " {
		t.Fatalf("streamed tokens = %q", got)
	}
	var resp llm.Response
	if err := json.Unmarshal(e.takeResult(outAt), &resp); err != nil || resp.Text != "echo: one two" {
		t.Fatalf("response = %+v, %v", resp, err)
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Errno
		msg  string
	}{
		{"malformed JSON", `{"messages": [`, EINVAL, "malformed"},
		{"not an object", `[1, 2]`, EINVAL, "JSON object"},
		{"no messages", `{"model": "m"}`, EINVAL, "at least one message"},
		{"bad role", `{"messages": [{"role": "robot", "content": "x"}]}`, EINVAL, "robot"},
		{"negative max_tokens", `{"messages": [{"role": "user", "content": "x"}], "max_tokens": -1}`, EINVAL, "max_tokens"},
		{"backend failure", string(generateBody("fail", false)), EBACKEND, "backend down"},
		{"unknown model", string(generateBody("nomodel", false)), ENOENT, "no core serves"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ptr, n := e.put(reqAt, []byte(tt.body))
			if got := e.aios("llm_generate", ptr, n, outAt); got != tt.want {
				t.Fatalf("llm_generate = %v, want %v", got, tt.want)
			}
			le := e.lastErr()
			if le.Code != tt.want || le.Name != tt.want.String() || le.Call != "llm_generate" || !strings.Contains(le.Message, tt.msg) {
				t.Fatalf("last_error = %+v, want %v mentioning %q", le, tt.want, tt.msg)
			}
		})
	}
}

func TestGenerateRefusedWhenResultTableIsFull(t *testing.T) {
	e := newEnv(t)
	for range MaxResults {
		e.aios("input", outAt)
	}
	ptr, n := e.put(reqAt, generateBody("hi", false))
	if got := e.aios("llm_generate", ptr, n, outAt); got != ELIMIT {
		t.Fatalf("llm_generate with a full result table = %v, want ELIMIT", got)
	}
	if info := e.proc.Info(); info.Usage.Generations != 0 {
		t.Fatalf("a refused call still ran %d generations", info.Usage.Generations)
	}
}
