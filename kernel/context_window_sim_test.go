package kernel_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// simCore returns an openai core named name on base, serving the simulator's model.
func simCore(t *testing.T, name, base string) llm.Core {
	t.Helper()
	c, err := llm.New(llm.CoreConfig{Name: name, Kind: llm.KindOpenAI, BaseURL: base, Models: []string{simtest.Model}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// closedBase returns an API root on a loopback port nothing listens on: connections are refused.
func closedBase(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v1"
}

// The simulator's context is 1024 tokens, as with vLLM --max-model-len 1024: the default
// max_tokens (2048) is lowered to fit it, and the budget reserves the lowered value.
func TestDefaultMaxTokensFitsSimulatorContext(t *testing.T) {
	base := simtest.Start(t)
	l := quota.NewLedger()
	// A budget of 1024 tokens cannot hold a reservation of the unlowered default (2048).
	l.SetLimit(quota.Agent, "hello", quota.Limit{Tokens: 1024})
	d, err := dispatch.New([]dispatch.Backend{{Core: simCore(t, "sim", base)}}, dispatch.Options{Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	k := kernel.New(d)
	p, err := k.Spawn(kernel.Spec{Name: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Generate(context.Background(), llm.Request{Messages: user("Why is the sky blue?")}, nil)
	if err != nil {
		t.Fatalf("generate with the default max_tokens: %v", err)
	}
	if resp.Core != "sim" || resp.Text == "" {
		t.Fatalf("response = %+v", resp)
	}
	if b := l.Balance(quota.Agent, "hello"); b.Reserved.Tokens != 0 || b.Used.Tokens == 0 {
		t.Fatalf("balance %+v, want the use settled and nothing held", b)
	}

	_, err = p.Generate(context.Background(), llm.Request{Messages: user("hi"), MaxTokens: 5000}, nil)
	if !errors.Is(err, llm.ErrBadRequest) || !strings.Contains(err.Error(), "max_tokens 5000 exceeds the model's context window of 1024 tokens") {
		t.Fatalf("max_tokens 5000: err = %v, want a bad request naming the 1024-token window", err)
	}
}

// noticeLog collects a process's retry and failover events.
type noticeLog struct {
	mu     sync.Mutex
	events []kernel.Event
}

func (n *noticeLog) event(e kernel.Event) {
	if e.Kind == kernel.EventRetry || e.Kind == kernel.EventFailover {
		n.mu.Lock()
		n.events = append(n.events, e)
		n.mu.Unlock()
	}
}

func TestDeadCoreRetryThenFailoverEvents(t *testing.T) {
	base := simtest.Start(t)
	dead, live := simCore(t, "dead", closedBase(t)), simCore(t, "sim", base)
	d, err := dispatch.New([]dispatch.Backend{{Core: dead}, {Core: live}},
		dispatch.Options{Backoff: 5 * time.Millisecond, FailureThreshold: 100})
	if err != nil {
		t.Fatal(err)
	}
	var log noticeLog
	p, err := kernel.New(d).Spawn(kernel.Spec{Name: "agent", Events: log.event})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Generate(context.Background(), llm.Request{Messages: user("hello there")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Core != "sim" {
		t.Fatalf("answered by %q, want sim", resp.Core)
	}
	if len(log.events) != 2 {
		t.Fatalf("events %+v, want a retry then a failover", log.events)
	}
	retry, failover := log.events[0], log.events[1]
	if retry.Kind != kernel.EventRetry || retry.Notice == nil || retry.Notice.Core != "dead" ||
		retry.Notice.Attempt != 1 || retry.Notice.MaxAttempts != 4 || !strings.Contains(retry.Notice.Reason, "refused") {
		t.Errorf("first event %+v (notice %+v), want a retry of core dead, attempt 1/4, connection refused", retry, retry.Notice)
	}
	if !strings.HasPrefix(retry.Text, "retry: core dead, attempt 1/4 failed: ") || !strings.Contains(retry.Text, "; next try in ") {
		t.Errorf("retry line %q", retry.Text)
	}
	if failover.Kind != kernel.EventFailover || failover.Text != "failover: core dead → core sim" ||
		failover.Notice == nil || failover.Notice.Core != "dead" || failover.Notice.To != "sim" {
		t.Errorf("second event %+v, want failover dead → sim", failover)
	}
}
