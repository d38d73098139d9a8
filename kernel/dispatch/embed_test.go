package dispatch

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// brokenEmbedder is a core whose embeddings always fail with an HTTP status.
type brokenEmbedder struct {
	testCore
	status int
	calls  atomic.Int32
}

func (b *brokenEmbedder) Embed(context.Context, llm.EmbedRequest) (llm.EmbedResponse, error) {
	b.calls.Add(1)
	return llm.EmbedResponse{}, &llm.StatusError{Status: b.status}
}

func newEcho(t *testing.T, name string) *llm.Echo {
	t.Helper()
	e, err := llm.NewEcho(llm.CoreConfig{Name: name, Models: []string{"echo-model"}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEmbedFailsOverAndCharges(t *testing.T) {
	l := quota.NewLedger()
	broken := &brokenEmbedder{testCore: testCore{name: "broken", models: []string{"echo-model"}}, status: http.StatusServiceUnavailable}
	d, err := New([]Backend{
		{Core: &testCore{name: "gen"}, Class: "chat"},
		{Core: broken, Class: "embed"},
		{Core: newEcho(t, "e1"), Class: "embed", PriceIn: quota.Dollars(1)},
	}, Options{Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	var rc *Receipt
	ctx := WithReceipt(WithCaller(context.Background(), Caller{Agent: "alice"}), func(r Receipt) { rc = &r })
	resp, err := d.Embed(ctx, llm.EmbedRequest{Model: "embed", Input: []string{"one two", "three"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Core != "e1" || len(resp.Vectors) != 2 || resp.Usage.InputTokens != 3 || broken.calls.Load() != 1 {
		t.Fatalf("response %+v after %d calls of the broken core", resp, broken.calls.Load())
	}
	if rc == nil || rc.Core != "e1" || rc.Usage.InputTokens != 3 || rc.Retries != 1 || rc.Cost != 3 {
		t.Fatalf("receipt %+v", rc)
	}
	if b := l.Balance(quota.Agent, "alice"); b.Used.Tokens != 3 || b.Reserved.Tokens != 0 || b.Used.Money != 3 {
		t.Fatalf("balance %+v, want 3 tokens and 3 micro-units used, nothing held", b)
	}
}

func TestEmbedErrors(t *testing.T) {
	bad := &brokenEmbedder{testCore: testCore{name: "bad", models: []string{"m"}}, status: http.StatusBadRequest}
	d, err := New([]Backend{
		{Core: &testCore{name: "gen", models: []string{"chat-model"}}},
		{Core: bad},
		{Core: newEcho(t, "e1")},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := d.Embed(ctx, llm.EmbedRequest{Model: "chat-model", Input: []string{"x"}}); !errors.Is(err, llm.ErrNoEmbedder) || !errors.Is(err, llm.ErrNoModel) {
		t.Errorf("a model no embedder serves: err = %v, want ErrNoEmbedder", err)
	}
	if _, err := d.Embed(ctx, llm.EmbedRequest{Model: "unknown", Input: []string{"x"}}); !errors.Is(err, llm.ErrNoModel) {
		t.Errorf("unknown model: err = %v, want ErrNoModel", err)
	}
	if _, err := d.Embed(ctx, llm.EmbedRequest{Model: "m", Input: []string{"x"}}); !errors.Is(err, llm.ErrBadRequest) || bad.calls.Load() != 1 {
		t.Errorf("a refused request: err = %v after %d calls; want ErrBadRequest, not retried", err, bad.calls.Load())
	}
	if _, err := d.Embed(ctx, llm.EmbedRequest{Model: "echo-model"}); !errors.Is(err, llm.ErrBadRequest) {
		t.Errorf("no input: err = %v, want ErrBadRequest", err)
	}
}

// TestEmbedRespectsRPMAndCapacity: embeddings count in the core's RPM window and hold a place
// of its capacity, so a core is never sent more than its limits allow.
func TestEmbedRespectsRPMAndCapacity(t *testing.T) {
	const span, rpm = 300 * time.Millisecond, 2
	d, err := New([]Backend{{Core: newEcho(t, "e1"), Class: "embed", Capacity: 1, RPM: rpm}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.span = span
	d.cores[0].rpm = newWindow(rpm, span)
	ctx := WithCaller(context.Background(), Caller{Agent: "alice"})
	start := time.Now()
	for range 2 * rpm {
		if _, err := d.Embed(ctx, llm.EmbedRequest{Model: "embed", Input: []string{"x"}}); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < span-20*time.Millisecond {
		t.Fatalf("%d embeddings at %d per %v finished in %v: the RPM window was not respected", 2*rpm, rpm, span, el)
	}
	// A place held elsewhere (capacity 1) keeps an embedding waiting until its context ends.
	d.mu.Lock()
	d.cores[0].inflight++
	d.mu.Unlock()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := d.Embed(short, llm.EmbedRequest{Model: "embed", Input: []string{"x"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("embedding on a full core: err = %v, want the context's deadline", err)
	}
	d.mu.Lock()
	inflight := d.cores[0].inflight
	d.mu.Unlock()
	if inflight != 1 {
		t.Fatalf("in flight after a cancelled wait = %d, want 1 (only the held place)", inflight)
	}
}
