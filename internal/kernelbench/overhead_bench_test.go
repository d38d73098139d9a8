package kernelbench

import (
	"context"
	"flag"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/sched"
)

// Overhead scenario: one simulator with no model latency at all (time to first token and
// inter-token latency zero), so what a call costs is HTTP, JSON, the client and, on the kernel
// path, the kernel: process accounting, scheduler, dispatcher, quota and usage bookkeeping.
const (
	overheadPrompt    = "reply with four words"
	overheadMaxTokens = 4
	overheadPairs     = 1500            // latency: calls per path, interleaved (-overhead.pairs)
	overheadWarmup    = 100             // calls per path before measuring
	overheadWorkers   = 16              // throughput: concurrent callers
	overheadDuration  = 3 * time.Second // throughput: measuring time per path
	overheadSeqs      = overheadWorkers * 2
)

// overheadPairsFlag sets the latency benchmark's calls per path. The p50 of a path over the
// simulator moves by several microseconds from run to run at the default (see the control path,
// aa-p50-diff-us); a claim about microseconds wants 10,000.
var overheadPairsFlag = flag.Int("overhead.pairs", overheadPairs, "BenchmarkOverheadLatency: calls per path")

// overheadRig is the simulator and both paths to it.
type overheadRig struct {
	direct *Direct
	core   llm.Core // the kernel's own core for the simulator, called without the kernel
	kernel *kernel.Kernel
	proc   *kernel.Process
}

// newOverheadRig starts the simulator and a kernel over it, or, with echo, a kernel over the
// built-in echo core instead: the kernel's own ceiling, with no HTTP behind it.
func newOverheadRig(b *testing.B, echo bool) overheadRig {
	b.Helper()
	cfg := config.Default()
	cfg.Scheduler = Scheduler(sched.KindFairShare)
	cfg.Cores = []config.Core{{CoreConfig: llm.CoreConfig{Name: "echo", Kind: llm.KindEcho, Capacity: overheadSeqs}}}
	var rig overheadRig
	if !echo {
		url := simtest.Start(b, "--time-to-first-token", "0", "--inter-token-latency", "0", "--max-num-seqs", itoa(overheadSeqs))
		d, err := NewDirect(url)
		if err != nil {
			b.Fatal(err)
		}
		rig.direct = d
		cfg.Cores = []config.Core{OpenAICore("sim", url, overheadSeqs, 0)}
		if rig.core, err = llm.New(cfg.Cores[0].CoreConfig); err != nil {
			b.Fatal(err)
		}
	}
	rig.kernel = NewKernel(b, cfg)
	p, err := rig.kernel.Spawn(Spec("agent"))
	if err != nil {
		b.Fatal(err)
	}
	rig.proc = p
	return rig
}

func (r overheadRig) call(ctx context.Context, viaKernel bool) error {
	if viaKernel {
		return r.callPath(ctx, pathKernel)
	}
	return r.callPath(ctx, pathDirect)
}

// The paths of one call in the latency benchmark.
const (
	pathDirect  = iota // the openai-go client
	pathCore           // the kernel's core for the simulator (kernel/llm), without the kernel
	pathKernel         // a kernel process's Generate
	pathControl        // the kernel's core again: what two identical paths differ by in this run
	paths
)

func (r overheadRig) callPath(ctx context.Context, path int) error {
	req := Ask(overheadPrompt, overheadMaxTokens)
	var err error
	switch path {
	case pathKernel:
		_, err = r.proc.Generate(ctx, req, nil)
	case pathCore, pathControl:
		_, err = r.core.Generate(ctx, req, func(llm.Chunk) {})
	default:
		_, err = r.direct.Generate(ctx, req, nil)
	}
	return err
}

// BenchmarkOverheadLatency interleaves direct, core and kernel calls one at a time, so all see
// the same machine load, and reports each path's p50 and p99 and what the kernel adds at each:
// over the openai-go client (p50-added-us, the round-1 measure), and over the very core the
// kernel sends to, called without the kernel (p50-added-over-core-us): the kernel's own cost,
// without the difference between two HTTP clients.
//
// A fourth path, the control, calls the core again: aa-p50-diff-us, how far its p50 is from the
// core's, is what two identical paths differ by in the same run, the resolution of every
// difference reported (the simulator's latencies spread over hundreds of microseconds).
func BenchmarkOverheadLatency(b *testing.B) {
	rig := newOverheadRig(b, false)
	ctx := context.Background()
	for i := range paths * overheadWarmup {
		if err := rig.callPath(ctx, i%paths); err != nil {
			b.Fatal(err)
		}
	}
	var took [paths][]time.Duration
	var overDirect, overCore []time.Duration // per round: kernel minus direct, kernel minus core
	b.ResetTimer()
	for range b.N {
		for i := range paths * *overheadPairsFlag {
			path := (i + i/paths) % paths // rotate which path goes first in each round
			start := time.Now()
			if err := rig.callPath(ctx, path); err != nil {
				b.Fatal(err)
			}
			took[path] = append(took[path], time.Since(start))
			if i%paths == paths-1 {
				k := took[pathKernel][len(took[pathKernel])-1]
				overDirect = append(overDirect, k-took[pathDirect][len(took[pathDirect])-1])
				overCore = append(overCore, k-took[pathCore][len(took[pathCore])-1])
			}
		}
	}
	b.StopTimer()
	d50, d99 := Percentile(took[pathDirect], 50), Percentile(took[pathDirect], 99)
	c50 := Percentile(took[pathCore], 50)
	b.ReportMetric(us(Percentile(took[pathControl], 50)-c50), "aa-p50-diff-us")
	k50, k99 := Percentile(took[pathKernel], 50), Percentile(took[pathKernel], 99)
	b.ReportMetric(us(d50), "direct-p50-us")
	b.ReportMetric(us(c50), "core-p50-us")
	b.ReportMetric(us(k50), "kernel-p50-us")
	b.ReportMetric(us(d99), "direct-p99-us")
	b.ReportMetric(us(k99), "kernel-p99-us")
	b.ReportMetric(us(k50-d50), "p50-added-us")
	b.ReportMetric(us(k50-c50), "p50-added-over-core-us")
	// The median of the differences within each round: calls of one round see the same
	// moment's load, so this is steadier than a difference of two medians.
	b.ReportMetric(us(Percentile(overDirect, 50)), "paired-added-us")
	b.ReportMetric(us(Percentile(overCore, 50)), "paired-added-over-core-us")
	b.ReportMetric(us(k99-d99), "p99-added-us")
}

// BenchmarkOverheadThroughput has overheadWorkers callers send as fast as they can for
// overheadDuration, directly or through one kernel process each, and reports requests/s.
// kernel-echo is the kernel over its built-in echo core: what the kernel alone can pass.
func BenchmarkOverheadThroughput(b *testing.B) {
	for _, path := range []string{"direct", "kernel", "kernel-echo"} {
		b.Run(path, func(b *testing.B) {
			rig := newOverheadRig(b, path == "kernel-echo")
			viaKernel := path != "direct"
			procs := make([]*kernel.Process, overheadWorkers)
			for i := range procs {
				procs[i] = rig.proc
				if viaKernel {
					p, err := rig.kernel.Spawn(Spec("agent-" + itoa(i)))
					if err != nil {
						b.Fatal(err)
					}
					procs[i] = p
				}
			}
			var done, failed atomic.Int64
			b.ResetTimer()
			var elapsed time.Duration
			for range b.N {
				ctx, cancel := context.WithTimeout(context.Background(), overheadDuration)
				start := time.Now()
				var wg sync.WaitGroup
				for i := range overheadWorkers {
					r := overheadRig{direct: rig.direct, proc: procs[i]}
					wg.Go(func() {
						for ctx.Err() == nil {
							if err := r.call(ctx, viaKernel); err != nil {
								if ctx.Err() == nil {
									failed.Add(1)
								}
								continue
							}
							done.Add(1)
						}
					})
				}
				wg.Wait()
				elapsed += time.Since(start)
				cancel()
			}
			b.StopTimer()
			if failed.Load() > 0 {
				b.Fatalf("%d calls failed", failed.Load())
			}
			b.ReportMetric(float64(done.Load())/elapsed.Seconds(), "req/s")
		})
	}
}

// BenchmarkOverheadAllocs reports the heap allocations of one call on each path of the latency
// scenario, and what the kernel adds: unlike time, a count the machine's load does not change.
func BenchmarkOverheadAllocs(b *testing.B) {
	rig := newOverheadRig(b, false)
	ctx := context.Background()
	var (
		direct, viaKernel float64
		failed            error
	)
	calls := func(k bool) func() {
		return func() {
			if err := rig.call(ctx, k); err != nil {
				failed = err
			}
		}
	}
	for range b.N {
		direct = testing.AllocsPerRun(overheadPairs, calls(false))
		viaKernel = testing.AllocsPerRun(overheadPairs, calls(true))
	}
	if failed != nil {
		b.Fatal(failed)
	}
	b.ReportMetric(direct, "direct-allocs/call")
	b.ReportMetric(viaKernel, "kernel-allocs/call")
	b.ReportMetric(viaKernel-direct, "added-allocs/call")
}
