package server

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios"
)

// BenchmarkServerLoad submits loadRuns runs of testdata/askinput.wasm at once against the LLM
// simulator, loadActive and then DefaultMaxActive active at a time: through the API over
// loopback HTTP (each client retrying on 429 and polling its run) and, as the baseline, through
// aios.System directly (Load and Run, a semaphore in place of the server's admission). It
// reports runs/s, and the latency of accepted submissions (POST /v1/runs; directly, Load) and
// of GET /v1/runs/{id}. `make bench-server` runs it (docs/BENCHMARKS.md, Kernel server).
func BenchmarkServerLoad(b *testing.B) {
	wasm := askInput(b)
	for _, active := range []int{loadActive, DefaultMaxActive} {
		b.Run(fmt.Sprintf("direct-active%d", active), func(b *testing.B) {
			benchDirect(b, wasm, active)
		})
		b.Run(fmt.Sprintf("api-active%d", active), func(b *testing.B) {
			benchAPI(b, wasm, active)
		})
	}
}

// benchDirect runs loadRuns runs on a System, active at a time.
func benchDirect(b *testing.B, wasm []byte, active int) {
	sys := simSystem(b, loadSeqs)
	for range b.N {
		start := time.Now()
		loads, err := runDirect(context.Background(), sys, wasm, loadRuns, active)
		elapsed := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(loadRuns/elapsed.Seconds(), "runs/s")
		b.ReportMetric(ms(percentile(loads, 0.50)), "submit-p50-ms")
		b.ReportMetric(ms(percentile(loads, 0.99)), "submit-p99-ms")
	}
}

// benchAPI submits loadRuns runs through a Server admitting active at a time.
func benchAPI(b *testing.B, wasm []byte, active int) {
	sys := simSystem(b, loadSeqs)
	_, ts := serveOn(b, sys, Options{MaxActive: active, KeepRuns: loadRuns})
	c, _ := loadClient(ts.URL)
	for range b.N {
		ctx := context.Background()
		start := time.Now()
		res, err := driveLoad(ctx, c, wasm, loadRuns)
		if err != nil {
			b.Fatal(err)
		}
		runs, err := c.Runs(ctx)
		if err != nil {
			b.Fatal(err)
		}
		// Runs end before their clients see it (they poll): the last end is the makespan's.
		var last time.Time
		for _, r := range runs {
			if r.Ended != nil && r.Ended.After(last) {
				last = *r.Ended
			}
		}
		b.ReportMetric(loadRuns/last.Sub(start).Seconds(), "runs/s")
		b.ReportMetric(ms(percentile(res.submits, 0.50)), "submit-p50-ms")
		b.ReportMetric(ms(percentile(res.submits, 0.99)), "submit-p99-ms")
		b.ReportMetric(ms(percentile(res.gets, 0.50)), "get-p50-ms")
		b.ReportMetric(ms(percentile(res.gets, 0.99)), "get-p99-ms")
		b.ReportMetric(float64(res.refused), "429s")
	}
}

// runDirect runs n runs of wasm on sys, at most active at once, checks each one's reply, and
// returns how long each Load took.
func runDirect(ctx context.Context, sys *aios.System, wasm []byte, n, active int) ([]time.Duration, error) {
	sem := make(chan struct{}, active)
	loads := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			agent, err := sys.Load(ctx, "askinput", wasm)
			loads[i] = time.Since(start)
			if err != nil {
				errs[i] = err
				return
			}
			defer agent.Close(context.Background())
			res, err := agent.Run(ctx, aios.RunOptions{Input: []byte(loadInput(i))})
			if err == nil {
				err = res.Err
			}
			if err != nil {
				errs[i] = fmt.Errorf("run %d: %w", i, err)
				return
			}
			if text, err := replyText(res.Output); err != nil || text != loadInput(i) {
				errs[i] = fmt.Errorf("run %d: reply %q, %v; want its input echoed", i, text, err)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return loads, nil
}

// percentile is the q-quantile of d (nearest rank).
func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
