package llm

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openai/openai-go/v3/option"

	"github.com/aiosys/aios/internal/simtest"
)

// inFlight counts the HTTP requests a core has open, from sending to closing the response body.
type inFlight struct {
	now, max atomic.Int32
	mu       sync.Mutex
	auth     []string
}

func (f *inFlight) middleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	f.mu.Lock()
	f.auth = append(f.auth, req.Header.Get("Authorization"))
	f.mu.Unlock()
	n := f.now.Add(1)
	for {
		m := f.max.Load()
		if n <= m || f.max.CompareAndSwap(m, n) {
			break
		}
	}
	resp, err := next(req)
	if err != nil {
		f.now.Add(-1)
		return resp, err
	}
	resp.Body = &countedBody{ReadCloser: resp.Body, done: func() { f.now.Add(-1) }}
	return resp, nil
}

type countedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *countedBody) Close() error {
	b.once.Do(b.done)
	return b.ReadCloser.Close()
}

func newTestOpenAI(t *testing.T, cfg CoreConfig, key string, f *inFlight) *openAICore {
	t.Helper()
	cfg.Kind = KindOpenAI
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var extra []option.RequestOption
	if f != nil {
		extra = append(extra, option.WithMiddleware(f.middleware))
	}
	c, err := newOpenAI(cfg, key, extra...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func words(n int) string {
	return strings.TrimSpace(strings.Repeat("word ", n))
}

func TestOpenAIAgainstSimulator(t *testing.T) {
	base := simtest.Start(t)
	// Ambient OpenAI settings must not redirect a configured core or leak a key to it.
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	t.Setenv("OPENAI_API_KEY", "sk-ambient")
	var f inFlight
	c := newTestOpenAI(t, CoreConfig{Name: "sim", BaseURL: base, Models: []string{simtest.Model}}, "", &f)
	req := Request{Messages: []Message{{Role: "system", Content: "s"}, {Role: "user", Content: "hello there world"}}}

	plain, err := c.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	if plain.Text != "hello there world" || plain.FinishReason != "stop" || plain.Model != simtest.Model || plain.Core != "sim" {
		t.Errorf("generate: %+v", plain)
	}
	// The simulator counts a chat template around the words, so server-reported usage exceeds
	// the word-count estimate.
	if plain.Usage.InputTokens <= countMessageWords(req.Messages) || plain.Usage.OutputTokens == 0 {
		t.Errorf("generate usage %+v is not the server's", plain.Usage)
	}

	var chunks []string
	streamed, err := c.Generate(context.Background(), req, func(ch Chunk) { chunks = append(chunks, ch.Text) })
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	if len(chunks) < 2 || strings.Join(chunks, "") != streamed.Text || streamed.Text != plain.Text {
		t.Errorf("stream chunks %q, text %q", chunks, streamed.Text)
	}
	if streamed.Usage != plain.Usage || streamed.FinishReason != "stop" || streamed.Model != simtest.Model {
		t.Errorf("stream response %+v, want usage %+v", streamed, plain.Usage)
	}

	f.mu.Lock()
	for _, a := range f.auth {
		if a != "" {
			t.Errorf("Authorization %q sent by a core configured without a key", a)
		}
	}
	f.mu.Unlock()

	t.Run("max_tokens", func(t *testing.T) {
		long := Request{Messages: []Message{{Role: "user", Content: words(20)}}, MaxTokens: 3}
		resp, err := c.Generate(context.Background(), long, nil)
		if err != nil || resp.FinishReason != "length" {
			t.Errorf("got %+v, %v; want finish reason length", resp, err)
		}
	})
	t.Run("unknown model", func(t *testing.T) {
		_, err := c.Generate(context.Background(), Request{Model: "nope", Messages: req.Messages}, nil)
		var se *StatusError
		if !errors.As(err, &se) || se.Status != http.StatusNotFound || !errors.Is(err, ErrNoModel) {
			t.Fatalf("err = %v, want a 404 StatusError", err)
		}
		if !strings.Contains(err.Error(), "HTTP 404 Not Found") || !strings.Contains(err.Error(), "nope") {
			t.Errorf("message %q lacks the status or the server's explanation", err)
		}
	})
	t.Run("api key", func(t *testing.T) {
		var g inFlight
		keyed := newTestOpenAI(t, CoreConfig{BaseURL: base, Models: []string{simtest.Model}}, "sk-configured", &g)
		if _, err := keyed.Generate(context.Background(), req, nil); err != nil {
			t.Fatal(err)
		}
		if len(g.auth) != 1 || g.auth[0] != "Bearer sk-configured" {
			t.Errorf("Authorization headers %q", g.auth)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		anyModel := newTestOpenAI(t, CoreConfig{BaseURL: base}, "", nil)
		bad := map[string]struct {
			c   *openAICore
			req Request
		}{
			"no model":   {anyModel, req},
			"no message": {c, Request{}},
			"bad role":   {c, Request{Messages: []Message{{Role: "robot", Content: "x"}}}},
		}
		for name, b := range bad {
			if _, err := b.c.Generate(context.Background(), b.req, nil); !errors.Is(err, ErrBadRequest) {
				t.Errorf("%s: err = %v, want ErrBadRequest", name, err)
			}
		}
	})
}

func TestOpenAIUnreachable(t *testing.T) {
	c := newTestOpenAI(t, CoreConfig{BaseURL: "http://127.0.0.1:1/v1", Models: []string{"m"}}, "", nil)
	_, err := c.Generate(context.Background(), Request{Messages: []Message{{Role: "user", Content: "x"}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "request to http://127.0.0.1:1/v1 failed: dial tcp 127.0.0.1:1: connect: connection refused") {
		t.Errorf("err = %v, want it to name the URL once and the refusal", err)
	}
	if ne := net.Error(nil); !errors.As(err, &ne) {
		t.Errorf("err = %v does not wrap the client's net.Error, which marks it retryable", err)
	}
}

// TestOpenAICancel shares one simulator between cancellations only: the simulator (v0.10.2)
// sometimes ends a live stream early ("unexpected EOF") while other streams on it are being
// cancelled, so the tests that need an uninterrupted stream each start their own.
func TestOpenAICancel(t *testing.T) {
	t.Parallel()
	base := simtest.Start(t, "--inter-token-latency", "100ms", "--max-num-seqs", "16")
	slow := Request{Messages: []Message{{Role: "user", Content: words(100)}}}
	short := Request{Messages: []Message{{Role: "user", Content: "hi"}}}

	t.Run("cancel stream", func(t *testing.T) {
		t.Parallel()
		var f inFlight
		c := newTestOpenAI(t, CoreConfig{BaseURL: base, Models: []string{simtest.Model}, Capacity: 1}, "", &f)
		ctx, cancel := context.WithCancel(context.Background())
		var once sync.Once
		var canceledAt time.Time
		resp, err := c.Generate(ctx, slow, func(Chunk) {
			once.Do(func() { canceledAt = time.Now(); cancel() })
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if d := time.Since(canceledAt); d > time.Second {
			t.Errorf("returned %s after cancel", d)
		}
		if resp.FinishReason != "canceled" || resp.Text == "" || len(resp.Text) >= len(words(100)) {
			t.Errorf("partial response %+v", resp)
		}
		if n := f.now.Load(); n != 0 {
			t.Errorf("%d requests still open after cancel", n)
		}
		assertSlotFree(t, c, short)
	})
	t.Run("cancel blocking", func(t *testing.T) {
		t.Parallel()
		c := newTestOpenAI(t, CoreConfig{BaseURL: base, Models: []string{simtest.Model}, Capacity: 1}, "", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Generate(ctx, slow, nil)
		if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timed out after") {
			t.Fatalf("err = %v, want the caller's own deadline error", err)
		}
		if d := time.Since(start); d > 1300*time.Millisecond {
			t.Errorf("returned %s after start, deadline was 300ms", d)
		}
		assertSlotFree(t, c, short)
	})
}

func TestOpenAITimeout(t *testing.T) {
	t.Parallel()
	base := simtest.Start(t, "--inter-token-latency", "100ms")
	slow := Request{Messages: []Message{{Role: "user", Content: words(100)}}}
	c := newTestOpenAI(t, CoreConfig{BaseURL: base, Models: []string{simtest.Model}, Timeout: 300 * time.Millisecond}, "", nil)
	_, err := c.Generate(context.Background(), slow, func(Chunk) {})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 300ms") {
		t.Fatalf("err = %v, want a timeout after 300ms", err)
	}
}

func TestOpenAICapacityBoundsInFlight(t *testing.T) {
	t.Parallel()
	base := simtest.Start(t, "--inter-token-latency", "100ms", "--max-num-seqs", "16")
	var f inFlight
	c := newTestOpenAI(t, CoreConfig{BaseURL: base, Models: []string{simtest.Model}, Capacity: 2}, "", &f)
	generateAtOnce(t, c, Request{Messages: []Message{{Role: "user", Content: words(3)}}}, 6)
	if m := f.max.Load(); m != 2 {
		t.Errorf("at most %d requests were in flight, want exactly the capacity 2", m)
	}
}

func TestOpenAIWaitForCapacityHonoursCtx(t *testing.T) {
	t.Parallel()
	base := simtest.Start(t, "--inter-token-latency", "100ms")
	slow := Request{Messages: []Message{{Role: "user", Content: words(100)}}}
	short := Request{Messages: []Message{{Role: "user", Content: "hi"}}}
	c := newTestOpenAI(t, CoreConfig{BaseURL: base, Models: []string{simtest.Model}, Capacity: 1}, "", nil)
	started, done := make(chan struct{}), make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); <-done }()
	go func() {
		defer close(done)
		var once sync.Once
		_, _ = c.Generate(ctx, slow, func(Chunk) { once.Do(func() { close(started) }) })
	}()
	<-started
	wctx, wcancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer wcancel()
	start := time.Now()
	if _, err := c.Generate(wctx, short, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded while the only slot is taken", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("waited %s for a 200ms deadline", d)
	}
}

// assertSlotFree checks that c's only slot is free: a short request gets it at once.
func assertSlotFree(t *testing.T, c *openAICore, req Request) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := c.Generate(ctx, req, nil); err != nil {
		t.Errorf("after cancel the slot is not free: %v", err)
	}
}

// generateAtOnce runs n generations of req on c at once, half of them streamed, and fails the
// test if any fails.
func generateAtOnce(t *testing.T, c Core, req Request, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			var onChunk func(Chunk)
			if i%2 == 0 {
				onChunk = func(Chunk) {}
			}
			_, err := c.Generate(context.Background(), req, onChunk)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
