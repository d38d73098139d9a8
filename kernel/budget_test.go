package kernel_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

func TestProcessBudgetBindsAndCloses(t *testing.T) {
	l := quota.NewLedger()
	d, err := dispatch.New([]dispatch.Backend{{Core: words{name: "w"}}}, dispatch.Options{Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	k := kernel.New(d, kernel.WithLedger(l))
	p, err := k.Spawn(kernel.Spec{Name: "a", Budget: quota.Limit{Tokens: 40}})
	if err != nil {
		t.Fatal(err)
	}
	req := llm.Request{Messages: user("one two three"), MaxTokens: 10} // reserves 6+10, uses 6
	var refused error
	for range 10 {
		if _, err := p.Generate(context.Background(), req, nil); err != nil {
			refused = err
			break
		}
	}
	if !errors.Is(refused, quota.ErrExhausted) || !strings.Contains(refused.Error(), `run "a[1]" tokens budget of 40 tokens`) {
		t.Fatalf("err = %v, want the process's own 40-token budget exhausted", refused)
	}
	if u := p.Info().Usage; u.InputTokens+u.OutputTokens > 40 || u.BudgetRefusals != 1 || !strings.HasPrefix(u.Exhausted, `run "a[1]"`) {
		t.Fatalf("usage %+v: want at most 40 tokens and one refusal by the run's budget", u)
	}
	// Another process of the same agent has a budget of its own.
	q, err := k.Spawn(kernel.Spec{Name: "a", Budget: quota.Limit{Tokens: 40}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Generate(context.Background(), req, nil); err != nil {
		t.Fatalf("a second run was charged the first's budget: %v", err)
	}
	// After exit the account is closed: a late generation is refused, not charged to nothing.
	p.Exit(0)
	if _, err := p.Generate(context.Background(), req, nil); !errors.Is(err, quota.ErrExhausted) {
		t.Fatalf("a generation after exit: err = %v, want ErrExhausted", err)
	}
}

func TestProcessBudgetNeedsALedger(t *testing.T) {
	k := kernel.New(words{name: "w"})
	_, err := k.Spawn(kernel.Spec{Name: "a", Budget: quota.Limit{Tokens: 40}})
	if err == nil || !strings.Contains(err.Error(), "no ledger") {
		t.Fatalf("err = %v, want a budget without a ledger refused", err)
	}
	l := quota.NewLedger()
	_, err = kernel.New(words{name: "w"}, kernel.WithLedger(l)).Spawn(kernel.Spec{Name: "a", Budget: quota.Limit{Tokens: -1}})
	if !errors.Is(err, kernel.ErrInvalid) {
		t.Fatalf("err = %v, want a negative budget invalid", err)
	}
}
