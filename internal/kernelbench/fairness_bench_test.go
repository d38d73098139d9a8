package kernelbench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/sched"
)

// Fairness scenario: one simulator serving fairSeqs sequences, a core of that capacity, two
// heavy agents (long prompts, fairHeavyInFlight calls always outstanding) and eight light ones
// (short prompts, fairLightInFlight outstanding), all calling without pause for fairDuration.
// Prompt length costs time on the simulator (prefill per token), as on a real server. The
// simulator's echo mode replies with the prompt whatever max_tokens says (v0.10.2), so a heavy
// agent's long prompt also means a long reply; requests set max_tokens to that length.
const (
	fairSeqs          = 4
	fairHeavy         = 2
	fairLight         = 8
	fairHeavyInFlight = 8
	fairLightInFlight = 2
	fairHeavyWords    = 150
	fairLightWords    = 30
	fairDuration      = 16 * time.Second
	fairWindow        = 2 * time.Second
)

// BenchmarkFairness reports, under FIFO and fair share, Jain's index of the agents' service
// (input plus output tokens) in each fairWindow (mean and worst window), and the largest
// difference between two agents' cumulative service at any window boundary, beside the bound
// fair share promises: 2 × capacity × the largest job's tokens, the virtual token counter's
// 2·U with U the tokens one full batch of jobs can hold.
func BenchmarkFairness(b *testing.B) {
	for _, kind := range []string{sched.KindFIFO, sched.KindFairShare} {
		b.Run(kind, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				url := simtest.Start(b, "--max-num-seqs", itoa(fairSeqs), "--time-to-first-token", "0",
					"--prefill-overhead", "5ms", "--prefill-time-per-token", "200us", "--inter-token-latency", "2ms",
					"--max-model-len", "4096")
				cfg := config.Default()
				cfg.Scheduler = Scheduler(kind)
				cfg.Cores = []config.Core{OpenAICore("sim", url, fairSeqs, 0)}
				k := NewKernel(b, cfg)
				b.StartTimer()
				r, err := runFairness(k)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(r.jainMean, "jain")
				b.ReportMetric(r.jainMin, "jain-min")
				b.ReportMetric(r.maxDiff, "max-service-diff")
				b.ReportMetric(r.bound, "vtc-bound")
				b.ReportMetric(r.heavyShare, "heavy-share")
				b.Logf("%s: mean service per window (tokens), heavy agent / light agent: %s", kind, r.perWindow)
			}
		})
	}
}

type fairnessResult struct {
	jainMean, jainMin, maxDiff, bound, heavyShare float64
	perWindow                                     string
}

func runFairness(k *kernel.Kernel) (fairnessResult, error) {
	type agent struct {
		proc     *kernel.Process
		prompt   string
		words    int
		inFlight int
	}
	var agents []agent
	var names []string
	for i := range fairHeavy + fairLight {
		heavy := i < fairHeavy
		name, words, inFlight := fmt.Sprintf("light-%d", i-fairHeavy), fairLightWords, fairLightInFlight
		if heavy {
			name, words, inFlight = fmt.Sprintf("heavy-%d", i), fairHeavyWords, fairHeavyInFlight
		}
		p, err := k.Spawn(Spec(name))
		if err != nil {
			return fairnessResult{}, err
		}
		agents = append(agents, agent{proc: p, prompt: wordsPrompt(words), words: words, inFlight: inFlight})
		names = append(names, name)
	}
	start := time.Now()
	tl := NewTimeline(start)
	var maxJob maxInt
	err := runAgents(len(agents), func(ctx context.Context, i int) error {
		a := agents[i]
		var wg sync.WaitGroup
		errs := make(chan error, a.inFlight)
		for range a.inFlight {
			wg.Go(func() {
				for time.Since(start) < fairDuration {
					var first time.Time
					resp, err := a.proc.Generate(ctx, Ask(a.prompt, a.words), func(llm.Chunk) {
						if first.IsZero() {
							first = time.Now()
						}
					})
					if err != nil {
						errs <- err
						return
					}
					tokens := resp.Usage.InputTokens + resp.Usage.OutputTokens
					maxJob.store(tokens)
					tl.Add(a.proc.Name(), first, time.Now(), tokens)
				}
			})
		}
		wg.Wait()
		close(errs)
		return <-errs
	})
	if err != nil {
		return fairnessResult{}, err
	}
	return summarize(tl, names, maxJob.load()), nil
}

func summarize(tl *Timeline, names []string, maxJob int) fairnessResult {
	windows := tl.Windows(names, fairWindow, fairDuration)
	r := fairnessResult{jainMin: 1, bound: float64(2 * fairSeqs * maxJob)}
	cumulative := make([]float64, len(names))
	var heavy, total float64
	var per []string
	for _, w := range windows {
		j := Jain(w)
		r.jainMean += j / float64(len(windows))
		r.jainMin = min(r.jainMin, j)
		var h, l float64
		for a, s := range w {
			cumulative[a] += s
			total += s
			if a < fairHeavy {
				heavy += s
				h += s / fairHeavy
			} else {
				l += s / fairLight
			}
		}
		r.maxDiff = max(r.maxDiff, Spread(cumulative))
		per = append(per, fmt.Sprintf("%.0f/%.0f", h, l))
	}
	if total > 0 {
		r.heavyShare = heavy / total
	}
	r.perWindow = strings.Join(per, " ")
	return r
}
