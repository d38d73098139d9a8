package kernelbench

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/kernel/sched"
)

// Heavy-tail scenario: tailAgents agents submit tailCalls generations each, all at once, to
// one core of tailSeqs sequences. Output lengths follow a Pareto distribution (shape
// tailShape, at least tailMin tokens, capped at tailMax), drawn from a fixed seed so every
// policy serves the same jobs. The simulator echoes the prompt, so a job of n tokens asks with
// an n-word prompt and max_tokens n: its estimate (prompt plus max_tokens) is proportional to
// its true length, the best case for shortest-job-first.
const (
	tailAgents = 20
	tailCalls  = 10
	tailSeqs   = 4
	tailShape  = 1.2
	tailMin    = 8
	tailMax    = 400
	tailSeed   = 42
)

// tailLengths returns the output length of every job, agent by agent.
func tailLengths() [][]int {
	r := rand.New(rand.NewPCG(tailSeed, tailSeed))
	out := make([][]int, tailAgents)
	for a := range out {
		for range tailCalls {
			// Inverse transform: x = min / U^(1/shape), U uniform in (0, 1].
			x := tailMin / math.Pow(1-r.Float64(), 1/tailShape)
			out[a] = append(out[a], min(int(x), tailMax))
		}
	}
	return out
}

// BenchmarkHeavyTail reports the mean and p99 completion time (submission to last token) and
// the makespan under FIFO, shortest-job-first and fair share.
func BenchmarkHeavyTail(b *testing.B) {
	lengths := tailLengths()
	for _, kind := range []string{sched.KindFIFO, sched.KindSJF, sched.KindFairShare} {
		b.Run(kind, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				url := simtest.Start(b, "--max-num-seqs", itoa(tailSeqs), "--time-to-first-token", "5ms",
					"--inter-token-latency", "1ms", "--max-model-len", "4096")
				cfg := config.Default()
				cfg.Scheduler = Scheduler(kind)
				cfg.Cores = []config.Core{OpenAICore("sim", url, tailSeqs, 0)}
				procs := spawn(b, NewKernel(b, cfg), "agent", tailAgents)
				var mu sync.Mutex
				var times []time.Duration
				b.StartTimer()
				start := time.Now()
				err := runAgents(tailAgents, func(ctx context.Context, a int) error {
					var wg sync.WaitGroup
					errs := make(chan error, tailCalls)
					for _, n := range lengths[a] {
						wg.Go(func() {
							if _, err := procs[a].Generate(ctx, Ask(wordsPrompt(n), n), nil); err != nil {
								errs <- err
								return
							}
							mu.Lock()
							times = append(times, time.Since(start))
							mu.Unlock()
						})
					}
					wg.Wait()
					close(errs)
					return <-errs
				})
				makespan := time.Since(start)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(ms(Mean(times)), "mean-ms")
				b.ReportMetric(ms(Percentile(times, 99)), "p99-ms")
				b.ReportMetric(makespan.Seconds(), "makespan-s")
			}
		})
	}
}
