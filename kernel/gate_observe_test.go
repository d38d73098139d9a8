package kernel_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
)

func TestGateObserverSeesEveryDecision(t *testing.T) {
	type seen struct {
		call  string
		allow bool
	}
	var mu sync.Mutex
	var got []seen
	observe := func(call string, allow bool, elapsed time.Duration) {
		if elapsed < 0 {
			t.Errorf("%s: elapsed %v, want a duration", call, elapsed)
		}
		mu.Lock()
		got = append(got, seen{call, allow})
		mu.Unlock()
	}
	g := newGated(t, smallOnly, kernel.GateConfig{Observe: observe}, "")
	p, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: writer})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.Generate(ctx, llm.Request{Model: "small", Messages: user("hi")}, nil); err != nil {
		t.Fatalf("granted class: %v", err)
	}
	if _, err := p.Generate(ctx, llm.Request{Model: "large", Messages: user("hi")}, nil); err == nil {
		t.Fatal("undeclared class allowed")
	}
	mu.Lock()
	defer mu.Unlock()
	var generations []seen
	for _, s := range got {
		if s.call == "llm_generate" {
			generations = append(generations, s)
		}
	}
	want := []seen{{"llm_generate", true}, {"llm_generate", false}}
	if len(generations) != 2 || generations[0] != want[0] || generations[1] != want[1] {
		t.Fatalf("observed %+v, want an allowed then a denied llm_generate", got)
	}
	if audited := len(g.entries(t, "llm_generate")); audited != len(generations) {
		t.Fatalf("observed %d generations, audited %d: want every audited decision observed", len(generations), audited)
	}
}
