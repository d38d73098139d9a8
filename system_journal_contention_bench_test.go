package aios_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/kernelbench"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel/sched"
)

// BenchmarkDurableContention is internal/kernelbench's contention scenario run by real agents:
// 200 instances of testdata/agents/durable ("rounds 10": 10 generations one after another)
// over three simulators, "big" (max-num-seqs 8), "small" (4) and "limited" (4, behind a proxy
// allowing 400 requests a minute), through a System with the three as cores. "plain" runs
// them as `aios run` does, "durable" journals every run as `aios run --durable` does. Both
// report the makespan and calls/s; the ratio of the two is the journal's cost in throughput.
func BenchmarkDurableContention(b *testing.B) {
	const agents, calls = 200, 10
	wasm := buildDurableAgent(b)
	for _, durable := range []bool{false, true} {
		name := "plain"
		if durable {
			name = "durable"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				agent, store := contentionSystem(b, wasm, durable)
				var wg sync.WaitGroup
				errs := make(chan error, agents)
				b.StartTimer()
				start := time.Now()
				for range agents {
					wg.Go(func() {
						o := aios.RunOptions{Input: []byte("rounds 10 sky")}
						var res *aios.Result
						var err error
						if store != nil {
							res, _, err = agent.RunDurable(context.Background(), store, journal.Run{Module: "durable.wasm"}, o)
						} else {
							res, err = agent.Run(context.Background(), o)
						}
						if err == nil && (res.Err != nil || res.ExitCode != 0) {
							err = res.Err
						}
						if err != nil {
							errs <- err
						}
					})
				}
				wg.Wait()
				makespan := time.Since(start)
				b.StopTimer()
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				b.ReportMetric(makespan.Seconds(), "makespan-s")
				b.ReportMetric(agents*calls/makespan.Seconds(), "calls/s")
			}
		})
	}
}

// contentionSystem starts the three simulators and a System over them, loads wasm, and, for a
// durable run, opens the journals of its data directory.
func contentionSystem(b *testing.B, wasm []byte, durable bool) (*aios.Agent, *journal.Store) {
	b.Helper()
	start := func(seqs string) string {
		return simtest.Start(b, "--max-num-seqs", seqs, "--time-to-first-token", "20ms", "--inter-token-latency", "4ms")
	}
	big, small, limited := start("8"), start("4"), start("4")
	up, err := url.Parse(strings.TrimSuffix(limited, "/v1"))
	if err != nil {
		b.Fatal(err)
	}
	proxy := httptest.NewServer(kernelbench.NewRateLimiter(up, 400))
	b.Cleanup(proxy.Close)
	cfg := config.Default()
	cfg.DataDir = b.TempDir()
	cfg.Scheduler = kernelbench.Scheduler(sched.KindFairShare)
	cfg.Cores = []config.Core{kernelbench.OpenAICore("big", big, 8, 0), kernelbench.OpenAICore("small", small, 4, 0),
		kernelbench.OpenAICore("limited", proxy.URL+"/v1", 4, 400)}
	ctx := context.Background()
	sys, err := aios.New(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sys.Close(ctx) })
	agent, err := sys.Load(ctx, "durable", wasm)
	if err != nil {
		b.Fatal(err)
	}
	if !durable {
		return agent, nil
	}
	store, err := journal.Open(filepath.Join(cfg.DataDir, aios.JournalDir), journal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	return agent, store
}

// buildDurableAgent builds testdata/agents/durable for wasip1.
func buildDurableAgent(tb testing.TB) []byte {
	tb.Helper()
	out := buildWasip1(tb, filepath.Join("testdata", "agents"), "./durable", filepath.Join(tb.TempDir(), "durable.wasm"))
	wasm, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return wasm
}
