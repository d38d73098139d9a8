package policy

import (
	"context"
	"testing"
)

// benchInput is a typical generation request of an allowed agent.
func benchInput() Input {
	return Input{Agent: writer(), Call: "llm_generate", Args: map[string]any{"model": "gpt-4o", "class": "large"}}
}

// BenchmarkDecideCached measures a decision served from the cache: the per-call cost with a
// warm cache while usage counters change (the default policy does not read them).
func BenchmarkDecideCached(b *testing.B) {
	e, err := New(context.Background(), Config{Grants: []Grant{grantAll()}})
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput()
	ctx := context.Background()
	if _, err := e.Decide(ctx, in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in.Usage.Calls = int64(i)
		d, err := e.Decide(ctx, in)
		if err != nil || !d.Allow || !d.Cached {
			b.Fatalf("decision %+v, %v", d, err)
		}
	}
}

// BenchmarkDecideUncached measures a full policy evaluation (cache disabled).
func BenchmarkDecideUncached(b *testing.B) {
	e, err := New(context.Background(), Config{Grants: []Grant{grantAll()}, CacheSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		d, err := e.Decide(ctx, in)
		if err != nil || !d.Allow || d.Cached {
			b.Fatalf("decision %+v, %v", d, err)
		}
	}
}
