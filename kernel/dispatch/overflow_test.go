package dispatch

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// Issue #8, point 1: a max_tokens near 2^63 made input + max_tokens wrap negative, so the
// ledger read the estimate as nothing and the TPM window as room to spare. These tests ask for
// math.MaxInt tokens against every kind of limit; none may be passed.

// hugeRequest is a request for math.MaxInt tokens whose prompt the echo core repeats: 200
// words each way, so that an admitted request spends far more than the limits below.
func hugeRequest() llm.Request {
	prompt := strings.Repeat("word ", 200)
	return llm.Request{Messages: []llm.Message{{Role: "user", Content: prompt}}, MaxTokens: math.MaxInt}
}

func echoCore(t *testing.T) *llm.Echo {
	t.Helper()
	e, err := llm.NewEcho(llm.CoreConfig{Name: "echo"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// generateConcurrently runs n huge generations at once, as replicas of one agent of tenant
// "acme", and fails the test on any error but a refusal.
func generateConcurrently(t *testing.T, d *Dispatcher, n int) (admitted int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx := WithCaller(context.Background(), Caller{Agent: "replica", Tenant: "acme", PID: uint64(i + 1)})
			_, err := d.Generate(ctx, hugeRequest(), nil)
			switch {
			case err == nil:
				mu.Lock()
				admitted++
				mu.Unlock()
			case errors.Is(err, quota.ErrExhausted), errors.Is(err, llm.ErrBadRequest):
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	return admitted
}

func TestHugeMaxTokensNeverOvershootsTokenBudget(t *testing.T) {
	for _, scope := range []quota.Scope{quota.Agent, quota.Tenant} {
		t.Run(scope.String(), func(t *testing.T) {
			l := quota.NewLedger()
			name := map[quota.Scope]string{quota.Agent: "replica", quota.Tenant: "acme"}[scope]
			l.SetLimit(scope, name, quota.Limit{Tokens: 300})
			d, err := New([]Backend{{Core: echoCore(t), Capacity: 10}}, Options{Ledger: l})
			if err != nil {
				t.Fatal(err)
			}
			if n := generateConcurrently(t, d, 10); n != 0 {
				t.Errorf("%d of 10 requests for %d tokens were admitted under a 300-token budget", n, math.MaxInt)
			}
			if b := l.Balance(scope, name); b.Used.Tokens > 300 || b.Reserved.Tokens != 0 {
				t.Fatalf("%s balance %+v: the 300-token budget was overshot", scope, b)
			}
		})
	}
}

func TestHugeMaxTokensNeverPassesTPM(t *testing.T) {
	d, err := New([]Backend{{Core: echoCore(t), Capacity: 10, TPM: 1000}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := generateConcurrently(t, d, 10); n != 0 {
		t.Fatalf("%d of 10 requests for %d tokens passed a 1,000 TPM core", n, math.MaxInt)
	}
	_, err = d.Generate(as("a"), hugeRequest(), nil)
	if !errors.Is(err, llm.ErrBadRequest) || !strings.Contains(err.Error(), "per-minute token limit") {
		t.Fatalf("err = %v, want the request refused for the TPM limit", err)
	}
}

func TestHugeMaxTokensNeverOvershootsMoneyBudget(t *testing.T) {
	l := quota.NewLedger()
	l.SetLimit(quota.Agent, "replica", quota.Limit{Money: quota.Dollars(0.01)})
	b := Backend{Core: echoCore(t), Capacity: 10, PriceIn: quota.Dollars(1), PriceOut: quota.Dollars(1)}
	d, err := New([]Backend{b}, Options{Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	if n := generateConcurrently(t, d, 10); n != 0 {
		t.Fatalf("%d of 10 requests for %d tokens at $1 per million were admitted under a $0.01 budget", n, math.MaxInt)
	}
	if bal := l.Balance(quota.Agent, "replica"); bal.Used.Money > quota.Dollars(0.01) || bal.Reserved.Money != 0 {
		t.Fatalf("balance %+v overshoots $0.01", bal)
	}
}

// TestHugeReportedUsageSaturates: a backend reporting absurd usage is charged the most there
// is, not a wrapped, negative amount that would give budget back.
func TestHugeReportedUsageSaturates(t *testing.T) {
	l := quota.NewLedger()
	c := &usageCore{usage: llm.Usage{InputTokens: math.MaxInt, OutputTokens: math.MaxInt}}
	b := Backend{Core: c, PriceIn: quota.Dollars(1), PriceOut: quota.Dollars(1), TPM: 1000}
	d, err := New([]Backend{b}, Options{Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Generate(as("a"), ask("hi"), nil); err != nil {
		t.Fatal(err)
	}
	bal := l.Balance(quota.Agent, "a")
	if bal.Used.Tokens != math.MaxInt64 || bal.Used.Money != math.MaxInt64 {
		t.Fatalf("balance %+v, want tokens and money saturated at MaxInt64", bal)
	}
	// The TPM window is full for a minute, not wrapped into room.
	d.mu.Lock()
	wait := d.cores[0].tpm.wait(time.Now(), 1)
	d.mu.Unlock()
	if wait <= 0 {
		t.Fatalf("after a generation reported using %d tokens, a 1,000 TPM window admits more at once", math.MaxInt)
	}
}

// usageCore answers every request with fixed usage.
type usageCore struct{ usage llm.Usage }

func (c *usageCore) Name() string     { return "usage" }
func (c *usageCore) Models() []string { return nil }
func (c *usageCore) Generate(_ context.Context, _ llm.Request, _ func(llm.Chunk)) (llm.Response, error) {
	return llm.Response{Text: "ok", FinishReason: "stop", Usage: c.usage}, nil
}
