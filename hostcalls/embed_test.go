package hostcalls

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/limits"
)

// withEcho puts an echo core serving "echo-model" before the test core.
func withEcho(t *testing.T) func(*envConfig) {
	return func(c *envConfig) {
		echo, err := llm.NewEcho(llm.CoreConfig{Models: []string{"echo-model"}})
		if err != nil {
			t.Fatal(err)
		}
		c.cores = append(c.cores, echo)
	}
}

func embedBody(inputs ...string) []byte {
	b, _ := json.Marshal(llm.EmbedRequest{Model: "echo-model", Input: inputs})
	return b
}

func decodeEmbed(t *testing.T, b []byte) llm.EmbedResponse {
	t.Helper()
	var resp llm.EmbedResponse
	if err := json.Unmarshal(b, &resp); err != nil {
		t.Fatalf("decode EmbedResponse %s: %v", b, err)
	}
	return resp
}

func TestEmbedBlocking(t *testing.T) {
	e := newEnv(t, withEcho(t))
	ptr, n := e.put(reqAt, embedBody("red apple", "green", "red apple"))
	if got := e.aios("llm_embed", ptr, n, outAt); got != OK {
		t.Fatalf("llm_embed = %v (%+v)", got, e.lastErr())
	}
	resp := decodeEmbed(t, e.takeResult(outAt))
	if resp.Core != "echo" || resp.Model != "echo-model" || resp.Usage.InputTokens != 5 || len(resp.Vectors) != 3 {
		t.Fatalf("response = %+v", resp)
	}
	for i, v := range resp.Vectors {
		if len(v) != llm.EchoDimensions {
			t.Fatalf("vector %d has %d dimensions", i, len(v))
		}
	}
	if dot(resp.Vectors[0], resp.Vectors[2]) < 0.999 {
		t.Errorf("equal texts got different vectors: %v %v", resp.Vectors[0], resp.Vectors[2])
	}
	if info := e.proc.Info(); info.Usage.InputTokens != 5 || info.Usage.Cores["echo"].InputTokens != 5 {
		t.Errorf("usage after embedding = %+v", info.Usage)
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestEmbedErrors(t *testing.T) {
	many := make([]string, MaxEmbedInputs+1)
	tests := []struct {
		name   string
		body   []byte
		config []func(*envConfig)
		want   Errno
		msg    string
	}{
		{"not an object", []byte(`["x"]`), nil, EINVAL, "JSON object"},
		{"malformed", []byte(`{"input": [1]}`), nil, EINVAL, "malformed"},
		{"no input", []byte(`{"model": "m", "input": []}`), nil, EINVAL, "at least one input"},
		{"too many inputs", embedBody(many...), nil, EINVAL, "at most 256"},
		{"no core embeds", embedBody("x"), nil, ENOENT, "embeddings"},
		{"result over the response limit", embedBody(strings.Split(strings.Repeat("alpha beta gamma delta,", 20), ",")...),
			[]func(*envConfig){withEcho(t), func(c *envConfig) { c.lim = limits.Limits{Response: 512} }}, E2BIG, "response limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.config...)
			ptr, n := e.put(reqAt, tt.body)
			if got := e.aios("llm_embed", ptr, n, outAt); got != tt.want {
				t.Fatalf("llm_embed = %v, want %v", got, tt.want)
			}
			le := e.lastErr()
			if le.Code != tt.want || le.Call != "llm_embed" || !strings.Contains(le.Message, tt.msg) {
				t.Fatalf("last_error = %+v, want %v mentioning %q", le, tt.want, tt.msg)
			}
		})
	}
}

func TestSubmitEmbed(t *testing.T) {
	e := newEnv(t, withEcho(t))
	cp, cn := e.put(callAt, []byte("llm_embed"))
	rp, rn := e.put(reqAt, embedBody("one", "two"))
	if got := e.aios("submit", cp, cn, rp, rn, outAt); got != OK {
		t.Fatalf("submit(llm_embed) = %v (%+v)", got, e.lastErr())
	}
	h := e.u32(outAt)
	if got, _ := e.waitOn(-1, h); got != OK {
		t.Fatalf("wait = %v", got)
	}
	if got := e.aios("poll", uint64(h), outAt); got != OK {
		t.Fatalf("poll = %v", got)
	}
	if resp := decodeEmbed(t, e.takeResult(outAt)); len(resp.Vectors) != 2 || resp.Usage.InputTokens != 2 {
		t.Fatalf("response = %+v", resp)
	}
	bp, bn := e.put(reqAt, []byte(`{"input": []}`))
	if got := e.aios("submit", cp, cn, bp, bn, outAt); got != EINVAL {
		t.Fatalf("submit of an empty embedding request = %v, want EINVAL", got)
	}
}

func TestDecodeEmbedRequest(t *testing.T) {
	req, err := DecodeEmbedRequest([]byte(`{"model":"m","input":["a","b"],"future":1}`))
	if err != nil || req.Model != "m" || len(req.Input) != 2 {
		t.Fatalf("decode = %+v, %v", req, err)
	}
	for _, bad := range []string{``, `null`, `[]`, `{}`, `{"input":"a"}`, `{"input":[1]}`} {
		if _, err := DecodeEmbedRequest([]byte(bad)); ErrnoOf(err) != EINVAL {
			t.Errorf("DecodeEmbedRequest(%q) = %v, want EINVAL", bad, err)
		}
	}
}

// FuzzDecodeEmbedRequest checks that decoding never panics and accepts only bounded requests.
func FuzzDecodeEmbedRequest(f *testing.F) {
	for _, s := range []string{`{"input":["x"]}`, `{"model":"m","input":["", "é"]}`, `{"input":[]}`, `{"input":`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeEmbedRequest(body)
		if err != nil {
			if ErrnoOf(err) != EINVAL {
				t.Fatalf("decode error %v is not EINVAL", err)
			}
			return
		}
		if n := len(req.Input); n == 0 || n > MaxEmbedInputs {
			t.Fatalf("accepted %d inputs", n)
		}
	})
}

func TestEchoVectorsAreUnitLength(t *testing.T) {
	e := newEnv(t, withEcho(t))
	ptr, n := e.put(reqAt, embedBody("the quick brown fox"))
	if got := e.aios("llm_embed", ptr, n, outAt); got != OK {
		t.Fatalf("llm_embed = %v", got)
	}
	v := decodeEmbed(t, e.takeResult(outAt)).Vectors[0]
	if l := math.Sqrt(dot(v, v)); math.Abs(l-1) > 1e-5 {
		t.Fatalf("vector length %v, want 1", l)
	}
}
