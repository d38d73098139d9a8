package kernel_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// whoAsked records the caller each generation carries.
type whoAsked struct {
	words
	callers []dispatch.Caller
}

func (w *whoAsked) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	c, _ := dispatch.CallerFrom(ctx)
	w.callers = append(w.callers, c)
	return w.words.Generate(ctx, req, onChunk)
}

func TestGenerateCarriesTheProcessAsCaller(t *testing.T) {
	core := &whoAsked{words: words{"a"}}
	k := kernel.New(kernel.Cores{core})
	p, _ := k.Spawn(kernel.Spec{Name: "agent", Tenant: "acme", Priority: 3})
	// A caller already in the context (as if the agent's request had set one) is replaced.
	ctx := dispatch.WithCaller(context.Background(), dispatch.Caller{Agent: "impostor", Tenant: "other", Priority: 99})
	if _, err := p.Generate(ctx, llm.Request{Messages: user("x")}, nil); err != nil {
		t.Fatal(err)
	}
	want := dispatch.Caller{Agent: "agent", Tenant: "acme", Priority: 3, PID: uint64(p.PID())}
	if len(core.callers) != 1 || core.callers[0] != want {
		t.Fatalf("callers = %+v, want %+v", core.callers, want)
	}
}

func TestUsagePerCoreFromTheDispatcher(t *testing.T) {
	ledger := quota.NewLedger()
	d, err := dispatch.New([]dispatch.Backend{
		{Core: words{"a"}, PriceIn: quota.Dollars(1), PriceOut: quota.Dollars(3)},
		{Core: words{"b"}},
	}, dispatch.Options{Ledger: ledger})
	if err != nil {
		t.Fatal(err)
	}
	k := kernel.New(d)
	p, _ := k.Spawn(kernel.Spec{Name: "agent", Tenant: "acme"})
	for _, m := range []string{"a-model", "a-model", "b-model"} {
		if _, err := p.Generate(context.Background(), llm.Request{Model: m, Messages: user("one two three")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	u := p.Info().Usage
	a, b := u.Cores["a"], u.Cores["b"]
	// words counts 3 tokens in and 3 out: $1 and $3 per million make 12 micro-dollars a call.
	if a.Generations != 2 || a.InputTokens != 6 || a.OutputTokens != 6 || a.Cost != 24 {
		t.Errorf("core a usage %+v, want 2 generations, 6 in, 6 out, 24 micro-dollars", a)
	}
	if b.Generations != 1 || b.InputTokens != 3 || b.Cost != 0 {
		t.Errorf("core b usage %+v, want 1 free generation", b)
	}
	if u.Generations != 3 || u.InputTokens != 9 || u.OutputTokens != 9 || u.Cost != 24 {
		t.Errorf("total usage %+v", u)
	}
	if got := ledger.Balance(quota.Tenant, "acme").Used; got != (quota.Amount{Tokens: 18, Money: 24}) {
		t.Errorf("tenant ledger %+v, want the process's usage", got)
	}
	// A snapshot does not share the live map.
	u.Cores["a"] = kernel.CoreUsage{}
	if p.Info().Usage.Cores["a"].Generations != 2 {
		t.Error("changing a snapshot changed the process's usage")
	}
}

func TestPriorityHintOnlyLowers(t *testing.T) {
	core := &whoAsked{words: words{"a"}}
	k := kernel.New(kernel.Cores{core})
	p, _ := k.Spawn(kernel.Spec{Name: "agent", Priority: 5})
	for _, hint := range []*int{nil, ptr(2), ptr(9)} {
		if _, err := p.Generate(context.Background(), llm.Request{Messages: []llm.Message{{Role: "user", Content: "hi"}}, Priority: hint}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []int
	for _, c := range core.callers {
		got = append(got, c.Priority)
	}
	if want := []int{5, 2, 5}; !slices.Equal(got, want) {
		t.Fatalf("priorities = %v, want %v (a hint may lower, never raise)", got, want)
	}
}

func ptr(n int) *int { return &n }
