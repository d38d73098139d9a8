package llm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// remoteFake is one remote core kind with its fake backend, for the behaviour every remote core
// must share: capacity, cancellation, timeouts.
type remoteFake struct {
	kind  string
	model string
	start func(t *testing.T, latency time.Duration) (baseURL string, load *fakeLoad)
}

var remoteFakes = []remoteFake{
	{KindAnthropic, fakeAnthropicModel, func(t *testing.T, latency time.Duration) (string, *fakeLoad) {
		f := startFakeAnthropic(t, latency, "")
		return f.url, f.load
	}},
	{KindOllama, fakeOllamaModel, func(t *testing.T, latency time.Duration) (string, *fakeLoad) {
		f := startFakeOllama(t, latency)
		return f.url, f.load
	}},
}

// newRemoteCore builds a core of fake's kind through New, as the kernel does.
func newRemoteCore(t *testing.T, fake remoteFake, cfg CoreConfig) Core {
	t.Helper()
	cfg.Kind = fake.kind
	cfg.Models = []string{fake.model}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const remoteLatency = 50 * time.Millisecond

func TestRemoteCancelStream(t *testing.T) {
	t.Parallel()
	for _, fake := range remoteFakes {
		t.Run(fake.kind, func(t *testing.T) {
			t.Parallel()
			base, load := fake.start(t, remoteLatency)
			c := newRemoteCore(t, fake, CoreConfig{BaseURL: base, Capacity: 1})
			ctx, cancel := context.WithCancel(context.Background())
			var once sync.Once
			var canceledAt time.Time
			resp, err := c.Generate(ctx, Request{Messages: []Message{{Role: "user", Content: words(100)}}}, func(Chunk) {
				once.Do(func() { canceledAt = time.Now(); cancel() })
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if d := time.Since(canceledAt); d > 500*time.Millisecond {
				t.Errorf("returned %s after cancel", d)
			}
			if resp.FinishReason != "canceled" || resp.Text == "" || len(resp.Text) >= len(words(100)) || resp.Core != c.Name() {
				t.Errorf("partial response %+v", resp)
			}
			load.waitAbort(t)
			assertRemoteSlotFree(t, c)
		})
	}
}

func TestRemoteCancelBlocking(t *testing.T) {
	t.Parallel()
	for _, fake := range remoteFakes {
		t.Run(fake.kind, func(t *testing.T) {
			t.Parallel()
			base, load := fake.start(t, remoteLatency)
			c := newRemoteCore(t, fake, CoreConfig{BaseURL: base, Capacity: 1})
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Generate(ctx, Request{Messages: []Message{{Role: "user", Content: words(100)}}}, nil)
			if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timed out after") {
				t.Fatalf("err = %v, want the caller's own deadline error", err)
			}
			if d := time.Since(start); d > 700*time.Millisecond {
				t.Errorf("returned %s after start, deadline was 200ms", d)
			}
			load.waitAbort(t)
			assertRemoteSlotFree(t, c)
		})
	}
}

func TestRemoteTimeout(t *testing.T) {
	t.Parallel()
	for _, fake := range remoteFakes {
		t.Run(fake.kind, func(t *testing.T) {
			t.Parallel()
			base, load := fake.start(t, remoteLatency)
			c := newRemoteCore(t, fake, CoreConfig{BaseURL: base, Timeout: 200 * time.Millisecond})
			for _, onChunk := range []func(Chunk){nil, func(Chunk) {}} {
				_, err := c.Generate(context.Background(), Request{Messages: []Message{{Role: "user", Content: words(100)}}}, onChunk)
				if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 200ms") {
					t.Fatalf("streamed %v: err = %v, want a timeout after 200ms", onChunk != nil, err)
				}
				load.waitAbort(t)
			}
		})
	}
}

func TestRemoteCapacityBoundsInFlight(t *testing.T) {
	t.Parallel()
	for _, fake := range remoteFakes {
		t.Run(fake.kind, func(t *testing.T) {
			t.Parallel()
			base, load := fake.start(t, 20*time.Millisecond)
			c := newRemoteCore(t, fake, CoreConfig{BaseURL: base, Capacity: 2})
			generateAtOnce(t, c, Request{Messages: []Message{{Role: "user", Content: words(4)}}}, 6)
			if m := load.max.Load(); m != 2 {
				t.Errorf("the backend had at most %d requests in flight, want exactly the capacity 2", m)
			}
		})
	}
}

func TestRemoteWaitForCapacityHonoursCtx(t *testing.T) {
	t.Parallel()
	for _, fake := range remoteFakes {
		t.Run(fake.kind, func(t *testing.T) {
			t.Parallel()
			base, _ := fake.start(t, remoteLatency)
			c := newRemoteCore(t, fake, CoreConfig{BaseURL: base, Capacity: 1})
			started, done := make(chan struct{}), make(chan struct{})
			ctx, cancel := context.WithCancel(context.Background())
			defer func() { cancel(); <-done }()
			go func() {
				defer close(done)
				var once sync.Once
				_, _ = c.Generate(ctx, Request{Messages: []Message{{Role: "user", Content: words(100)}}},
					func(Chunk) { once.Do(func() { close(started) }) })
			}()
			<-started
			wctx, wcancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer wcancel()
			start := time.Now()
			if _, err := c.Generate(wctx, Request{Messages: []Message{{Role: "user", Content: "hi"}}}, nil); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want DeadlineExceeded while the only slot is taken", err)
			}
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("waited %s for a 100ms deadline", d)
			}
		})
	}
}

func TestRemoteUnreachable(t *testing.T) {
	t.Parallel()
	for _, fake := range remoteFakes {
		c := newRemoteCore(t, fake, CoreConfig{BaseURL: "http://127.0.0.1:1"})
		for _, onChunk := range []func(Chunk){nil, func(Chunk) {}} {
			_, err := c.Generate(context.Background(), Request{Messages: []Message{{Role: "user", Content: "x"}}}, onChunk)
			if err == nil || !strings.Contains(err.Error(), "request to http://127.0.0.1:1 failed") ||
				!strings.Contains(err.Error(), "connection refused") {
				t.Errorf("%s (streamed %v): err = %v, want it to name the URL and the refusal", fake.kind, onChunk != nil, err)
			}
		}
	}
}

func TestRemoteBadRequests(t *testing.T) {
	t.Parallel()
	for _, fake := range remoteFakes {
		base, load := fake.start(t, 0)
		c := newRemoteCore(t, fake, CoreConfig{BaseURL: base})
		anyModel, err := New(CoreConfig{Kind: fake.kind, BaseURL: base})
		if err != nil {
			t.Fatal(err)
		}
		user := []Message{{Role: "user", Content: "x"}}
		bad := map[string]struct {
			c   Core
			req Request
		}{
			"no model":            {anyModel, Request{Messages: user}},
			"no message":          {c, Request{}},
			"bad role":            {c, Request{Messages: []Message{{Role: "robot", Content: "x"}}}},
			"negative max_tokens": {c, Request{Messages: user, MaxTokens: -1}},
		}
		for name, b := range bad {
			if _, err := b.c.Generate(context.Background(), b.req, nil); !errors.Is(err, ErrBadRequest) {
				t.Errorf("%s %s: err = %v, want ErrBadRequest", fake.kind, name, err)
			}
		}
		if n := load.max.Load(); n != 0 {
			t.Errorf("%s: malformed requests reached the backend", fake.kind)
		}
	}
}

// assertRemoteSlotFree checks that c's only slot is free: a short request gets it at once.
func assertRemoteSlotFree(t *testing.T, c Core) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := c.Generate(ctx, Request{Messages: []Message{{Role: "user", Content: "hi"}}}, nil); err != nil {
		t.Errorf("after cancel the slot is not free: %v", err)
	}
}
