package audit

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiosys/aios/policy"
)

// BenchmarkRecord measures the writer's sustained throughput: b.N decisions recorded back to
// back and then made durable by one Sync, in decisions per second (metric decisions/s). The
// queue fills within the first few thousand entries, so the figure is what the writer stores
// per second, not what Record alone costs.
//
//   - cached-output: the entry of a cached aios.output decision, as the kernel's gate builds
//     it (no arguments, no obligations): the common case;
//   - args: an llm_generate decision with arguments and obligations, which are JSON-encoded;
//   - interleaved: cached-output entries of two agents taking turns, so no two consecutive
//     entries share their text and every row binds all its columns.
func BenchmarkRecord(b *testing.B) {
	at := time.Unix(1_700_000_000, 0)
	cases := []struct {
		name string
		e    Entry
	}{
		{"cached-output", Entry{Agent: "bench", Tenant: "default", Call: "output", Allow: true,
			Reason: "allowed", Eval: 200 * time.Nanosecond, Cached: true}},
		{"args", Entry{Agent: "bench", Version: "1.2.0", Digest: "sha256:0123456789abcdef", Tenant: "acme",
			Call: "llm_generate", Allow: true, Reason: "allowed by grant",
			Args:        map[string]any{"model": "gpt-4o", "max_tokens": 512, "class": "small"},
			Obligations: policy.Obligations{MaxTokens: 256, CoreClass: "small"}, Eval: 40 * time.Microsecond}},
	}
	cases = append(cases, struct {
		name string
		e    Entry
	}{"interleaved", cases[0].e})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			l, err := Open(ctx, filepath.Join(b.TempDir(), "audit.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			e := c.e
			n := 0
			start := time.Now()
			for b.Loop() {
				n++
				e.Time = at.Add(time.Duration(n))
				if c.name == "interleaved" {
					e.Agent = [2]string{"bench-a", "bench-b"}[n%2]
				}
				if err := l.Record(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
			if err := l.Sync(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "decisions/s")
		})
	}
}
