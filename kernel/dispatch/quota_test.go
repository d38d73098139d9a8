package dispatch

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/quota"
)

func TestQuotaReservesThenSettlesToActual(t *testing.T) {
	l := quota.NewLedger()
	l.SetLimit(quota.Agent, "alice", quota.Limit{Tokens: 1000})
	c := &testCore{name: "c"}
	d, _ := New([]Backend{{Core: c, PriceIn: quota.Dollars(1), PriceOut: quota.Dollars(2)}}, Options{Ledger: l})
	resp, err := d.Generate(WithCaller(context.Background(), Caller{Agent: "alice", Tenant: "acme"}), ask("hi"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b := l.Balance(quota.Agent, "alice")
	used := int64(resp.Usage.InputTokens + resp.Usage.OutputTokens)
	if b.Used.Tokens != used || b.Reserved.Tokens != 0 {
		t.Fatalf("balance %+v, want %d used and nothing held", b, used)
	}
	wantCost := quota.Cost((int64(resp.Usage.InputTokens)*1e6 + int64(resp.Usage.OutputTokens)*2e6 + 999_999) / 1e6)
	if b.Used.Money != wantCost {
		t.Fatalf("money used %v, want %v", b.Used.Money, wantCost)
	}
	if tb := l.Balance(quota.Tenant, "acme"); tb.Used != b.Used {
		t.Fatalf("tenant balance %+v, want the same use as the agent", tb)
	}
}

func TestOverBudgetAgentGetsClearError(t *testing.T) {
	l := quota.NewLedger()
	l.SetLimit(quota.Agent, "bob", quota.Limit{Tokens: 40})
	c := &testCore{name: "c"}
	d, _ := New([]Backend{{Core: c}}, Options{Ledger: l})
	_, err := d.Generate(as("bob"), ask("hi"), nil) // max_tokens 50 alone is over 40
	if !errors.Is(err, quota.ErrExhausted) || !strings.Contains(err.Error(), `agent "bob" tokens budget`) {
		t.Fatalf("err = %v", err)
	}
	if calls, _ := c.stats(); calls != 0 {
		t.Fatal("an over-budget request reached the core")
	}
}

func TestConcurrentRequestsNeverOvershootBudget(t *testing.T) {
	const limit = 3000
	l := quota.NewLedger()
	l.SetLimit(quota.Tenant, "t", quota.Limit{Tokens: limit})
	c := &testCore{name: "c"}
	d, _ := New([]Backend{{Core: c, Capacity: 8}}, Options{Ledger: l})
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Go(func() {
			ctx := WithCaller(context.Background(), Caller{Agent: string(rune('a' + i%7)), Tenant: "t"})
			_, err := d.Generate(ctx, ask("x"), nil)
			if err != nil && !errors.Is(err, quota.ErrExhausted) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	b := l.Balance(quota.Tenant, "t")
	if b.Used.Tokens > limit || b.Reserved.Tokens != 0 {
		t.Fatalf("tenant balance %+v overshoots %d", b, limit)
	}
	if calls, _ := c.stats(); calls == 0 || calls == 300 {
		t.Fatalf("calls = %d: the budget should admit some requests and refuse others", calls)
	}
}

// TestFairShareAcrossAgents queues a burst from one agent before a single request from
// another on a one-slot core: the latecomer must not wait for the whole burst. The order is
// the one the core began the calls in (one at a time: the scheduler's), not the order the
// callers' goroutines got to run after their calls returned.
func TestFairShareAcrossAgents(t *testing.T) {
	gate := make(chan struct{})
	c := &testCore{name: "c", fail: func(n int) error {
		if n == 1 {
			<-gate
		}
		return nil
	}, started: make(chan string, 100)}
	d, _ := New([]Backend{{Core: c, Capacity: 1}}, Options{})
	var wg sync.WaitGroup
	run := func(agent string) {
		wg.Go(func() {
			if _, err := d.Generate(as(agent), ask(agent), nil); err != nil {
				t.Error(err)
			}
		})
	}
	run("burst")
	<-c.started
	for range 5 {
		run("burst")
	}
	waitQueued(t, d, 5)
	run("late")
	waitQueued(t, d, 6)
	close(gate)
	go func() {
		for range c.started {
		}
	}()
	wg.Wait()
	close(c.started)
	order := c.prompts
	pos := -1
	for i, a := range order {
		if a == "late" {
			pos = i
		}
	}
	if pos > 2 {
		t.Fatalf("the late agent began at position %d of %v", pos, order)
	}
}

func waitQueued(t *testing.T, d *Dispatcher, n int) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		d.mu.Lock()
		got := d.q.Len()
		d.mu.Unlock()
		if got == n {
			return
		}
	}
	t.Fatalf("queue never reached %d jobs", n)
}

func TestDefaultMaxTokensFitsTheBudgetLeft(t *testing.T) {
	l := quota.NewLedger()
	l.SetLimit(quota.Agent, "small", quota.Limit{Tokens: 60})
	l.SetLimit(quota.Tenant, "t", quota.Limit{Tokens: 1 << 40})
	c := &testCore{name: "c"}
	d, _ := New([]Backend{{Core: c}}, Options{Ledger: l, DefaultMaxTokens: 2048})
	req := ask("hi")
	req.MaxTokens = 0 // the default: 2048 would not fit a 60-token budget
	ctx := WithCaller(context.Background(), Caller{Agent: "small", Tenant: "t"})
	if _, err := d.Generate(ctx, req, nil); err != nil {
		t.Fatalf("a request with no max_tokens under a small budget: %v", err)
	}
	if b := l.Balance(quota.Agent, "small"); b.Used.Tokens > 60 || b.Reserved.Tokens != 0 {
		t.Fatalf("balance %+v: over the 60-token budget", b)
	}

	req.MaxTokens = 2048 // asked for explicitly: kept, and refused
	if _, err := d.Generate(ctx, req, nil); !errors.Is(err, quota.ErrExhausted) {
		t.Fatalf("an explicit max_tokens over the budget: err = %v, want ErrExhausted", err)
	}
}

func TestTokenRoom(t *testing.T) {
	l := quota.NewLedger()
	if _, limited := l.TokenRoom(quota.Payer{Agent: "a"}); limited {
		t.Fatal("no budgets: limited")
	}
	l.SetLimit(quota.Agent, "a", quota.Limit{Tokens: 100})
	l.SetLimit(quota.Tenant, "t", quota.Limit{Tokens: 30})
	if room, _ := l.TokenRoom(quota.Payer{Agent: "a", Tenant: "t"}); room != 30 {
		t.Fatalf("room = %d, want the tenant's 30", room)
	}
	r, err := l.Reserve(quota.Payer{Agent: "a", Tenant: "t"}, quota.Amount{Tokens: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if room, limited := l.TokenRoom(quota.Payer{Agent: "a", Tenant: "t"}); room != 0 || !limited {
		t.Fatalf("room = %d, %v; want 0, true", room, limited)
	}
}
