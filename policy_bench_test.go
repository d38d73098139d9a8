package aios_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/policy/audit"
)

// policyBenchCase is one sub-benchmark of BenchmarkPolicySyscall: an agent looping over one
// system call, run in a System whose decision cache has cacheSize entries (policy.Config) and
// whose audit log is on unless noAudit.
type policyBenchCase struct {
	name      string
	wasm      string
	calls     int // system calls one run of wasm makes
	cacheSize int // 0: the default cache; -1: no cache
	noAudit   bool
	// lastCall is the call the audit log's newest decision must be about, allowed; when
	// checkCached, that decision must have come from the cache exactly when cached.
	lastCall            string
	checkCached, cached bool
}

// BenchmarkPolicySyscall measures a system call decided by policy, end to end through a
// System built as `aios run` builds it (default policy, audit log in the data directory), in
// ns per system call (metric ns/syscall):
//
//   - nopolicy: aios.abi_version (testdata/noop.wat), which the gate does not decide: the
//     baseline round trip;
//   - cached: aios.output of zero bytes (testdata/outputnoop.wat), decided by the default
//     policy, every decision after the first served from the decision cache;
//   - uncached: the same with the decision cache disabled (cache_size = -1), so OPA evaluates
//     every call;
//   - cached-noaudit, uncached-noaudit: the same two with the audit log off (audit = false), to
//     tell the policy's share from the audit log's.
//
// Otherwise every decided call is recorded in the audit log, as in production; the log's
// writer commits in the background, and a full queue makes the agent wait, so a log that
// cannot keep up shows in the result. After the runs the benchmark checks in the audit log that
// the calls were decided as the case says.
func BenchmarkPolicySyscall(b *testing.B) {
	cases := []policyBenchCase{
		{name: "nopolicy", wasm: "testdata/noop.wasm", calls: 100000, lastCall: "start"},
		{name: "cached", wasm: "testdata/outputnoop.wasm", calls: 10000,
			lastCall: "output", checkCached: true, cached: true},
		{name: "uncached", wasm: "testdata/outputnoop.wasm", calls: 10000, cacheSize: -1,
			lastCall: "output", checkCached: true},
		{name: "cached-noaudit", wasm: "testdata/outputnoop.wasm", calls: 10000, noAudit: true},
		{name: "uncached-noaudit", wasm: "testdata/outputnoop.wasm", calls: 10000, cacheSize: -1, noAudit: true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchPolicySyscall(b, c) })
	}
}

func benchPolicySyscall(b *testing.B, c policyBenchCase) {
	ctx := context.Background()
	dir := b.TempDir()
	cfg := config.Config{DataDir: dir,
		Policy: config.Policy{Engine: policy.Config{CacheSize: c.cacheSize}, NoAudit: c.noAudit}}
	sys, err := aios.New(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	agent, err := sys.Load(ctx, c.name, readFile(b, c.wasm))
	if err != nil {
		_ = sys.Close(ctx)
		b.Fatal(err)
	}
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		res, err := agent.Run(ctx, aios.RunOptions{})
		total += time.Since(start)
		if err != nil {
			_ = sys.Close(ctx)
			b.Fatalf("run %s: %v", c.wasm, err)
		}
		if res.Err != nil || res.ExitCode != 0 {
			_ = sys.Close(ctx)
			b.Fatalf("run %s: exit %d, %v", c.wasm, res.ExitCode, res.Err)
		}
	}
	// Closing writes out what the audit log still holds queued, so the metric covers every
	// decision recorded, not only those the writer kept up with.
	start := time.Now()
	if err := sys.Close(ctx); err != nil {
		b.Fatal(err)
	}
	total += time.Since(start)
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N*c.calls), "ns/syscall")
	if !c.noAudit {
		checkLastDecision(b, filepath.Join(dir, aios.AuditFile), c)
	}
}

// checkLastDecision fails b unless the newest decision in the audit log at path allowed
// c.lastCall, from the cache or not as c says. For nopolicy the newest decision is the last
// run's start: none of its abi_version calls was decided.
func checkLastDecision(b *testing.B, path string, c policyBenchCase) {
	b.Helper()
	ctx := context.Background()
	log, err := audit.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	entries, err := log.Query(ctx, audit.Filter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	if len(entries) != 1 {
		b.Fatalf("audit log holds %d newest entries, want 1", len(entries))
	}
	e := entries[0]
	if e.Call != c.lastCall || !e.Allow {
		b.Fatalf("newest audit entry: call %q allow %v (%s); want call %q allowed", e.Call, e.Allow, e.Reason, c.lastCall)
	}
	if c.checkCached && e.Cached != c.cached {
		b.Fatalf("newest audit entry: %s decision cached %v, want %v", e.Call, e.Cached, c.cached)
	}
}
