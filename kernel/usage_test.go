package kernel_test

import (
	"context"
	"math"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
)

// boasting is a core that reports absurd usage, as a broken or hostile backend might.
type boasting struct{ usage llm.Usage }

func (b boasting) Name() string     { return "boasting" }
func (b boasting) Models() []string { return nil }
func (b boasting) Generate(context.Context, llm.Request, func(llm.Chunk)) (llm.Response, error) {
	return llm.Response{Text: "ok", Core: "boasting", Usage: b.usage}, nil
}

// TestUsageSaturates: a process's usage stays at the most there is, never wraps negative (and
// a negative report is no credit), whatever the backend reports.
func TestUsageSaturates(t *testing.T) {
	for _, u := range []llm.Usage{
		{InputTokens: math.MaxInt, OutputTokens: math.MaxInt},
		{InputTokens: math.MinInt, OutputTokens: -1},
	} {
		k := kernel.New(boasting{usage: u})
		p, err := k.Spawn(kernel.Spec{Name: "a"})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := p.Generate(context.Background(), llm.Request{Messages: user("hi")}, nil); err != nil {
				t.Fatal(err)
			}
		}
		got := p.Info().Usage
		wantIn, wantOut := max(u.InputTokens, 0), max(u.OutputTokens, 0)
		if got.InputTokens != wantIn || got.OutputTokens != wantOut {
			t.Errorf("usage %+v after two generations reporting %+v, want %d in and %d out", got, u, wantIn, wantOut)
		}
		if c := got.Cores["boasting"]; c.InputTokens != wantIn || c.OutputTokens != wantOut {
			t.Errorf("core usage %+v, want %d in and %d out", c, wantIn, wantOut)
		}
	}
}
