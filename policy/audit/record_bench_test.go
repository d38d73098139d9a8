package audit

import (
	"context"
	"path/filepath"
	"syscall"
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

// BenchmarkRecordToolCalls measures what the audit log costs per tool call when calls come one
// at a time, as an agent makes them: each call records its decision, blocks its thread for 300
// µs (the tool runs; time.Sleep would round that up to a millisecond), records its outcome, and
// sleeps 2 ms (the agent's next generation). The metric audit-cpu-us/call is the process's CPU time (user and
// system) per call, less that of the same calls made first without recording; nearly all of it
// is the writer's. ns/op is mostly the waits.
func BenchmarkRecordToolCalls(b *testing.B) {
	ctx := context.Background()
	l, err := Open(ctx, filepath.Join(b.TempDir(), "audit.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	decision := Entry{Agent: "bench", Tenant: "default", Call: "tool_call", Allow: true,
		Reason: "allowed", Args: map[string]any{"tool": "echo", "arguments": map[string]any{"message": "hello"}},
		Eval: 3 * time.Microsecond, Cached: true}
	outcome := Entry{Agent: "bench", Tenant: "default", Call: "tool_result", Allow: true,
		Reason: "ok", Args: map[string]any{"tool": "echo", "bytes": 5}}
	record := func(e Entry) {
		e.Time = time.Now()
		if err := l.Record(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	calls := func(audited bool) time.Duration {
		start := cpuTime(b)
		for range b.N {
			if audited {
				record(decision)
			}
			block(b, 300*time.Microsecond)
			if audited {
				record(outcome)
			}
			time.Sleep(2 * time.Millisecond)
		}
		return cpuTime(b) - start
	}
	unaudited := calls(false)
	b.ResetTimer()
	audited := calls(true)
	if err := l.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64((audited-unaudited).Microseconds())/float64(b.N), "audit-cpu-us/call")
}

// block sleeps for d in a system call, holding its thread, to the microsecond.
func block(b *testing.B, d time.Duration) {
	left := syscall.NsecToTimespec(int64(d))
	for {
		err := syscall.Nanosleep(&left, &left)
		if err == nil {
			return
		}
		if err != syscall.EINTR {
			b.Fatal(err)
		}
	}
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkQueryRareTenant lists the one entry of a tenant among 100,000 others' entries: the
// server's audit page for a tenant that rarely calls.
func BenchmarkQueryRareTenant(b *testing.B) {
	ctx := context.Background()
	l, err := Open(ctx, filepath.Join(b.TempDir(), "audit.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 100_000 {
		e := Entry{Time: t0.Add(time.Duration(i) * time.Millisecond), Agent: "busy", Tenant: "globex", Call: "log", Allow: true}
		if i == 50_000 {
			e.Tenant = "acme"
		}
		if err := l.Record(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := l.Query(ctx, Filter{Tenant: "acme", Limit: 50})
		if err != nil || len(got) != 1 {
			b.Fatalf("got %d entries, %v", len(got), err)
		}
	}
}
