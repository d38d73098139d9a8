package kernel_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
)

func newEcho(t *testing.T) *llm.Echo {
	t.Helper()
	e, err := llm.NewEcho(llm.CoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestProcessEmbed(t *testing.T) {
	k := kernel.New(kernel.Cores{words{"a"}, newEcho(t)})
	p, _ := k.Spawn(kernel.Spec{Name: "one"})
	resp, err := p.Embed(context.Background(), llm.EmbedRequest{Input: []string{"one two", "three"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Core != llm.EchoName || len(resp.Vectors) != 2 || resp.Usage.InputTokens != 3 {
		t.Fatalf("response %+v", resp)
	}
	u := p.Info().Usage
	if u.Calls != 1 || u.Generations != 0 || u.InputTokens != 3 || u.Cores[llm.EchoName].InputTokens != 3 {
		t.Fatalf("usage %+v", u)
	}
	if _, err := p.Embed(context.Background(), llm.EmbedRequest{}); !errors.Is(err, kernel.ErrInvalid) {
		t.Errorf("no input: err = %v, want ErrInvalid", err)
	}
}

func TestProcessEmbedWithoutEmbedder(t *testing.T) {
	for name, core := range map[string]llm.Core{"router": kernel.Cores{words{"a"}}, "plain core": words{"a"}} {
		k := kernel.New(core)
		p, _ := k.Spawn(kernel.Spec{Name: "one"})
		_, err := p.Embed(context.Background(), llm.EmbedRequest{Input: []string{"x"}})
		if !errors.Is(err, llm.ErrNoEmbedder) || !errors.Is(err, llm.ErrNoModel) {
			t.Errorf("%s: err = %v, want ErrNoEmbedder", name, err)
		}
	}
}

// embedPolicy allows every call but llm_embed and remembers the inputs it decided.
type embedPolicy struct {
	mu  sync.Mutex
	ins []policy.Input
}

func (e *embedPolicy) Decide(_ context.Context, in policy.Input) (policy.Decision, error) {
	e.mu.Lock()
	e.ins = append(e.ins, in)
	e.mu.Unlock()
	if in.Call == "llm_embed" {
		return policy.Decision{Reason: "no embeddings for you"}, nil
	}
	return policy.Decision{Allow: true}, nil
}

func TestProcessEmbedAsksPolicy(t *testing.T) {
	pol := &embedPolicy{}
	g, err := kernel.NewGate(kernel.GateConfig{Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	k := kernel.New(kernel.Cores{newEcho(t)}, kernel.WithGate(g))
	p, err := k.Spawn(kernel.Spec{Name: "one"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Embed(context.Background(), llm.EmbedRequest{Model: "m", Input: []string{"x", "y"}})
	if !errors.Is(err, kernel.ErrDenied) {
		t.Fatalf("err = %v, want a policy denial", err)
	}
	pol.mu.Lock()
	last := pol.ins[len(pol.ins)-1]
	pol.mu.Unlock()
	if last.Call != "llm_embed" || last.Args["model"] != "m" || last.Args["inputs"] != 2 {
		t.Fatalf("policy saw %+v", last)
	}
	if u := p.Info().Usage; u.InputTokens != 0 {
		t.Fatalf("a denied call was charged: %+v", u)
	}
}
