package aios

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
)

func TestDecisionObserverAndGenerations(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	decided := map[string][2]int{} // call → allowed, denied
	observe := func(call string, allow bool, _ time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		n := decided[call]
		if allow {
			n[0]++
		} else {
			n[1]++
		}
		decided[call] = n
	}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Policy = config.Policy{Configured: true, Engine: policy.Config{
		Grants: []policy.Grant{{Agent: "*", Capabilities: policy.Capabilities{Models: []string{"small"}}}}}}
	sys, err := New(ctx, cfg, WithDecisionObserver(observe))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close(context.Background()) })
	p, err := sys.Kernel().Spawn(kernel.Spec{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := []llm.Message{{Role: "user", Content: "hi"}}
	if _, err := p.Generate(ctx, llm.Request{Model: "small", Messages: msgs}, nil); err != nil {
		t.Fatalf("granted model: %v", err)
	}
	if _, err := p.Generate(ctx, llm.Request{Model: "large", Messages: msgs}, nil); !errors.Is(err, kernel.ErrDenied) {
		t.Fatalf("ungranted model: err = %v, want a denial", err)
	}
	mu.Lock()
	got := decided["llm_generate"]
	mu.Unlock()
	if got != [2]int{1, 1} {
		t.Fatalf("llm_generate decisions (allowed, denied) = %v, want one of each", got)
	}
	st := sys.Generations()
	if st.Queued != 0 || len(st.Cores) != 1 || st.Cores[0].InFlight != 0 || st.Cores[0].Capacity <= 0 {
		t.Fatalf("generations = %+v, want the echo core idle with its capacity", st)
	}
}
