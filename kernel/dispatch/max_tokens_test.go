package dispatch

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel/llm"
)

// windowedCore is a testCore with a context window, recording the max_tokens it is sent.
type windowedCore struct {
	*testCore
	window int

	mu   sync.Mutex
	sent []int
}

func (c *windowedCore) ContextWindow(context.Context, string) int { return c.window }

func (c *windowedCore) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	c.mu.Lock()
	c.sent = append(c.sent, req.MaxTokens)
	c.mu.Unlock()
	return c.testCore.Generate(ctx, req, onChunk)
}

func windowed(name string, window int) *windowedCore {
	return &windowedCore{testCore: &testCore{name: name}, window: window}
}

func hi() llm.Request { return llm.Request{Messages: []llm.Message{{Role: "user", Content: "hi"}}} }

func TestDefaultMaxTokensLoweredToContextWindow(t *testing.T) {
	in := EstimateInput(hi())
	for _, tc := range []struct {
		name     string
		window   int
		wantSent int
	}{
		{"unknown window keeps the default", 0, 2048},
		{"large window keeps the default", 100_000, 2048},
		{"small window lowers it", 1024, 1024 - in},
		{"prompt fills the window: at least 1", in, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := windowed("c", tc.window)
			d, _ := New([]Backend{{Core: c}}, Options{DefaultMaxTokens: 2048})
			if _, err := d.Generate(context.Background(), hi(), nil); err != nil {
				t.Fatal(err)
			}
			if len(c.sent) != 1 || c.sent[0] != tc.wantSent {
				t.Fatalf("max_tokens sent %v, want %d", c.sent, tc.wantSent)
			}
		})
	}
}

func TestExplicitMaxTokensOverContextWindow(t *testing.T) {
	small, large := windowed("small", 1024), windowed("large", 8192)
	d, _ := New([]Backend{{Core: small}, {Core: large}}, Options{})
	req := ask("hi")
	req.MaxTokens = 5000
	resp, err := d.Generate(context.Background(), req, nil)
	if err != nil || resp.Core != "large" {
		t.Fatalf("max_tokens 5000 over cores of 1024 and 8192: %+v, %v; want core large", resp, err)
	}
	req.MaxTokens = 9000
	_, err = d.Generate(context.Background(), req, nil)
	if !errors.Is(err, llm.ErrBadRequest) || !strings.Contains(err.Error(), "max_tokens 9000 exceeds the model's context window of 8192 tokens") {
		t.Fatalf("max_tokens 9000: err = %v, want a bad request naming the largest window", err)
	}
	if len(small.sent) != 0 || len(large.sent) != 1 {
		t.Fatalf("sent to small %v, large %v: a request too large for a core reached it", small.sent, large.sent)
	}
}

func TestDefaultMaxTokensFitsEveryCoreThatMayServe(t *testing.T) {
	small, large := windowed("small", 1024), windowed("large", 8192)
	d, _ := New([]Backend{{Core: large}, {Core: small}}, Options{})
	if _, err := d.Generate(context.Background(), hi(), nil); err != nil {
		t.Fatal(err)
	}
	if len(large.sent) != 1 || large.sent[0] != 1024-EstimateInput(hi()) {
		t.Fatalf("sent %v, want the default lowered to what the smallest window holds", large.sent)
	}
}

func TestRetryAndFailoverNotices(t *testing.T) {
	bad := &testCore{name: "bad", fail: func(int) error { return &StatusError{Code: 503} }}
	good := &testCore{name: "good"}
	d, _ := New([]Backend{{Core: bad}, {Core: good}}, Options{Backoff: 1, FailureThreshold: 100})
	var got []Notice
	ctx := WithNotices(context.Background(), func(n Notice) { got = append(got, n) })
	resp, err := d.Generate(ctx, ask("hi"), nil)
	if err != nil || resp.Core != "good" {
		t.Fatalf("%+v, %v", resp, err)
	}
	if len(got) != 2 || got[0].Kind != NoticeRetry || got[0].Core != "bad" || got[0].Attempt != 1 || got[0].MaxAttempts != 4 ||
		got[0].Reason != "HTTP 503" || got[1].Kind != NoticeFailover || got[1].Core != "bad" || got[1].To != "good" {
		t.Fatalf("notices %+v, want retry of bad (1/4, HTTP 503) then failover bad → good", got)
	}
}

func TestRetryNoticeReasonIsOneBoundedLine(t *testing.T) {
	msg := "line one\nline two\x1b[31m red " + strings.Repeat("é", 300)
	got := oneLine(errors.New(msg))
	if strings.ContainsAny(got, "\n\x1b") || len(got) > maxReason+len("…") || !strings.HasPrefix(got, "line one line two?[31m red é") {
		t.Fatalf("oneLine = %q", got)
	}
}
