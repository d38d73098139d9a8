package policy

import (
	"context"
	"slices"
	"syscall"
	"testing"
	"time"
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

// BenchmarkDecideUncached measures a full policy evaluation (cache disabled). Besides the mean
// it reports the median latency (p50-ns) and the CPU time per decision (cpu-ns/op): on a shared
// machine the mean follows the load, those two much less.
func BenchmarkDecideUncached(b *testing.B) {
	e, err := New(context.Background(), Config{Grants: []Grant{grantAll()}, CacheSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput()
	ctx := context.Background()
	var lat []time.Duration
	cpu := cpuTime(b)
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		d, err := e.Decide(ctx, in)
		lat = append(lat, time.Since(start))
		if err != nil || !d.Allow || d.Cached {
			b.Fatalf("decision %+v, %v", d, err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(len(lat)), "cpu-ns/op")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2]), "p50-ns")
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
