package kernelbench

import (
	"context"
	"math"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/kernel/sched"
)

// Contention scenario: contentionAgents agents make contentionCalls calls each, one after
// another, over three simulators: "big" (max-num-seqs 8), "small" (4) and "limited" (4, behind a
// proxy allowing contentionRPM requests per minute). Each call takes about ttft + 15 × itl on
// the simulator; more than max-num-seqs at once wait in the simulator's queue.
const (
	contentionAgents = 200
	contentionCalls  = 10
	contentionRPM    = 400
	contentionTokens = 16
	contentionTTFT   = "20ms"
	contentionITL    = "4ms"
	// naiveRetry is how long a baseline agent waits after a 429 before trying again.
	naiveRetry = 250 * time.Millisecond
)

// contentionPrompt is echoed back: contentionTokens words in, contentionTokens tokens out.
var contentionPrompt = wordsPrompt(contentionTokens)

// contentionRig is the three backends: their API roots (limited's is the proxy's) and how many
// sequences each serves at once.
type contentionRig struct {
	names   []string
	urls    []string // what callers use
	direct  []string // the simulators themselves, for measuring latency without spending RPM
	seqs    []int
	limiter *RateLimiter
}

func newContentionRig(b *testing.B) contentionRig {
	b.Helper()
	start := func(seqs int) string {
		return simtest.Start(b, "--max-num-seqs", itoa(seqs), "--time-to-first-token", contentionTTFT, "--inter-token-latency", contentionITL)
	}
	big, small, limited := start(8), start(4), start(4)
	up, err := url.Parse(strings.TrimSuffix(limited, "/v1"))
	if err != nil {
		b.Fatal(err)
	}
	l := NewRateLimiter(up, contentionRPM)
	proxy := httptest.NewServer(l)
	b.Cleanup(proxy.Close)
	return contentionRig{
		names:   []string{"big", "small", "limited"},
		urls:    []string{big, small, proxy.URL + "/v1"},
		direct:  []string{big, small, limited},
		seqs:    []int{8, 4, 4},
		limiter: l,
	}
}

// capacity returns how many calls the backends can complete in d at their nominal rate,
// sequences divided by the unloaded latency of one call, the limited one also bounded by its
// requests per minute.
func (r contentionRig) capacity(b *testing.B, d time.Duration) float64 {
	total := 0.0
	for i, u := range r.direct {
		rate := float64(r.seqs[i]) / unloadedLatency(b, u).Seconds()
		c := rate * d.Seconds()
		if r.names[i] == "limited" {
			c = math.Min(c, contentionRPM*math.Ceil(d.Minutes()))
		}
		total += c
	}
	return total
}

// unloadedLatency is the median of a few calls to an idle simulator.
func unloadedLatency(b *testing.B, u string) time.Duration {
	d, err := NewDirect(u)
	if err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	for range 7 {
		start := time.Now()
		if _, err := d.Generate(context.Background(), Ask(contentionPrompt, contentionTokens), nil); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	return Percentile(ds, 50)
}

// BenchmarkContention runs the scenario without an OS (baseline: agent i bound to backend
// i mod 3, retrying a 429 after naiveRetry) and through the kernel (the three backends as cores
// with their capacities and the rpm limit; default scheduler). Both report the makespan and
// calls/s; the kernel also the fraction of the backends' nominal capacity over its makespan.
func BenchmarkContention(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			rig := newContentionRig(b)
			clients := make([]*Direct, len(rig.urls))
			for i, u := range rig.urls {
				d, err := NewDirect(u)
				if err != nil {
					b.Fatal(err)
				}
				clients[i] = d
			}
			var retries atomic.Int64
			var unlimitedDone atomic.Int64 // when the last agent bound to big or small finished
			b.StartTimer()
			start := time.Now()
			err := runAgents(contentionAgents, func(ctx context.Context, agent int) error {
				c := clients[agent%len(clients)]
				for range contentionCalls {
					for {
						_, err := c.Generate(ctx, Ask(contentionPrompt, contentionTokens), nil)
						if err == nil {
							break
						}
						if !IsRateLimited(err) {
							return err
						}
						retries.Add(1)
						if err := sleep(ctx, naiveRetry); err != nil {
							return err
						}
					}
				}
				if rig.names[agent%len(clients)] != "limited" {
					storeMax(&unlimitedDone, int64(time.Since(start)))
				}
				return nil
			})
			makespan := time.Since(start)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(makespan.Seconds(), "makespan-s")
			b.ReportMetric(contentionAgents*contentionCalls/makespan.Seconds(), "calls/s")
			b.ReportMetric(time.Duration(unlimitedDone.Load()).Seconds(), "unlimited-makespan-s")
			b.ReportMetric(float64(retries.Load()), "429s")
		}
	})
	b.Run("kernel", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			rig := newContentionRig(b)
			cfg := config.Default()
			cfg.Scheduler = Scheduler(sched.KindFairShare)
			for i, name := range rig.names {
				rpm := 0
				if name == "limited" {
					rpm = contentionRPM
				}
				cfg.Cores = append(cfg.Cores, OpenAICore(name, rig.urls[i], rig.seqs[i], rpm))
			}
			k := NewKernel(b, cfg)
			procs := spawn(b, k, "agent", contentionAgents)
			b.StartTimer()
			start := time.Now()
			err := runAgents(contentionAgents, func(ctx context.Context, agent int) error {
				for range contentionCalls {
					if _, err := procs[agent].Generate(ctx, Ask(contentionPrompt, contentionTokens), nil); err != nil {
						return err
					}
				}
				return nil
			})
			makespan := time.Since(start)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			_, refused := rig.limiter.Counts()
			b.ReportMetric(makespan.Seconds(), "makespan-s")
			b.ReportMetric(contentionAgents*contentionCalls/makespan.Seconds(), "calls/s")
			b.ReportMetric(contentionAgents*contentionCalls/rig.capacity(b, makespan), "capacity-fraction")
			b.ReportMetric(float64(refused), "429s")
		}
	})
}
