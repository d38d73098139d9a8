package aios_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/policy"
)

// BenchmarkPolicyCallLatency measures the latency distribution of single decided system calls,
// which BenchmarkPolicySyscall's per-run mean hides: each iteration is one empty output call
// made on a kernel process of a System built as in BenchmarkPolicySyscall (default policy, audit
// log on), timed on its own. That is the path aios.output takes once hostcalls has read the
// guest's arguments; the wasm round trip (BenchmarkPolicySyscall/nopolicy) is not in it. It
// reports the median (p50-ns) and the 99th percentile (p99-ns) with the cache on (cached) and
// off (uncached), and both again with the audit log off (-noaudit).
func BenchmarkPolicyCallLatency(b *testing.B) {
	for _, c := range []struct {
		name      string
		cacheSize int
		noAudit   bool
	}{{"cached", 0, false}, {"uncached", -1, false}, {"cached-noaudit", 0, true}, {"uncached-noaudit", -1, true}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			cfg := config.Config{DataDir: b.TempDir(),
				Policy: config.Policy{Engine: policy.Config{CacheSize: c.cacheSize}, NoAudit: c.noAudit}}
			sys, err := aios.New(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer sys.Close(ctx)
			proc, err := sys.Kernel().Spawn(kernel.Spec{Name: "latency"})
			if err != nil {
				b.Fatal(err)
			}
			defer proc.Exit(0)
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				err := proc.Output(nil)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatalf("output: %v", err)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2]), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100]), "p99-ns")
		})
	}
}
