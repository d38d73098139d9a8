package aios

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
)

// benchMemory is a guest memory of 64 KiB for calling handlers directly.
type benchMemory []byte

func (m benchMemory) Read(off, n uint32) ([]byte, bool) {
	if uint64(off)+uint64(n) > uint64(len(m)) {
		return nil, false
	}
	return m[off : off+n], true
}

func (m benchMemory) Write(off uint32, b []byte) bool {
	if uint64(off)+uint64(len(b)) > uint64(len(m)) {
		return false
	}
	copy(m[off:], b)
	return true
}

func (m benchMemory) Size() uint32 { return uint32(len(m)) }

// BenchmarkJournaledCall measures clock_time_get, a journaled call, called as an engine calls
// it by agents at once (1 or 16 goroutines per core, each its own guest and run): without a
// journal, and journaled to a real journal store in a temporary directory (group commit, one
// write(2) per run per batch; with fsync per batch too). ns/op is wall time over all calls:
// the time one call takes is about ns/op times the number of goroutines.
func BenchmarkJournaledCall(b *testing.B) {
	clock, _ := hostcalls.Lookup(hostcalls.ModuleWASI, "clock_time_get")
	for _, c := range []struct {
		mode string
		par  int
	}{{"off", 1}, {"journal", 1}, {"off", 16}, {"journal", 16}, {"journal+fsync", 16}} {
		mode := c.mode
		b.Run(fmt.Sprintf("%s/goroutines-per-core=%d", mode, c.par), func(b *testing.B) {
			var store *journal.Store
			if mode != "off" {
				var err error
				store, err = journal.Open(b.TempDir(), journal.Options{Fsync: mode == "journal+fsync", MaxRunBytes: 1 << 40})
				if err != nil {
					b.Fatal(err)
				}
				defer store.Close()
			}
			k := kernel.New(nil)
			var n atomic.Int64
			b.SetParallelism(c.par)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				proc, err := k.Spawn(kernel.Spec{Name: "bench", Seed: 1})
				if err != nil {
					b.Error(err)
					return
				}
				g := hostcalls.NewGuest(proc, limits.Limits{})
				defer g.Close()
				if store != nil {
					id := fmt.Sprintf("bench-%d", n.Add(1))
					if err := store.SaveRun(journal.Run{ID: id, Status: journal.Running}); err != nil {
						b.Error(err)
						return
					}
					w, err := store.OpenWriter(id)
					if err != nil {
						b.Error(err)
						return
					}
					defer w.Close()
					g.SetJournal(&recordingJournal{w: w})
				}
				mem := make(benchMemory, 64<<10)
				stack := make([]uint64, 3)
				for pb.Next() {
					stack[0], stack[1], stack[2] = 1, 0, 1024
					if err := clock.Handler(b.Context(), g, mem, stack); err != nil || stack[0] != 0 {
						b.Errorf("clock_time_get = %d, %v", stack[0], err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkResume100Runs measures resuming 100 interrupted runs at once, each with 10
// generations journaled (testdata/agents/durable, "rounds 10"): each is re-executed from its
// start against its journal, which holds every call, so the time is that of replaying
// them all, nothing sent. One op is the 100 resumes.
func BenchmarkResume100Runs(b *testing.B) {
	const runs = 100
	wasm, err := durableAgent()
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = b.TempDir()
	ctx := context.Background()
	s, err := New(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	a, err := s.Load(ctx, "durable", wasm)
	if err != nil {
		b.Fatal(err)
	}
	store, err := journal.Open(filepath.Join(cfg.DataDir, JournalDir), journal.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	recs := make([]journal.Run, runs)
	var wg sync.WaitGroup
	for i := range recs {
		wg.Go(func() {
			res, rec, err := a.RunDurable(ctx, store, journal.Run{Module: "durable.wasm"}, RunOptions{Input: []byte("rounds 10 x")})
			if err != nil || res.Err != nil {
				b.Errorf("record run %d: %v, %v", i, err, res.Err)
			}
			recs[i] = rec
		})
	}
	wg.Wait()
	for b.Loop() {
		b.StopTimer()
		for _, rec := range recs {
			rec.Status = journal.Running // as a crash left it
			if err := store.SaveRun(rec); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		for _, rec := range recs {
			wg.Go(func() {
				res, _, err := a.Resume(ctx, store, rec.ID, RunOptions{})
				if err != nil || res.Err != nil || res.Usage.Generations != 0 {
					b.Errorf("resume %s: %v, %v, %d generations", rec.ID, err, res.Err, res.Usage.Generations)
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(recs[0].Calls), "calls/run")
}

// BenchmarkJournaledCallLatency times clock_time_get one call at a time, alternating a guest
// without a journal and one journaling to a real store (group commit, write(2)), so that both
// see the same moment's load, and reports each one's p50 and p99 and what the journal adds
// at the p50 (issue #12's floor: 50 µs).
func BenchmarkJournaledCallLatency(b *testing.B) {
	clock, _ := hostcalls.Lookup(hostcalls.ModuleWASI, "clock_time_get")
	store, err := journal.Open(b.TempDir(), journal.Options{MaxRunBytes: 1 << 40})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	k := kernel.New(nil)
	guest := func(journaled bool) *hostcalls.Guest {
		proc, err := k.Spawn(kernel.Spec{Name: "bench", Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		g := hostcalls.NewGuest(proc, limits.Limits{})
		b.Cleanup(g.Close)
		if journaled {
			if err := store.SaveRun(journal.Run{ID: "latency", Status: journal.Running}); err != nil {
				b.Fatal(err)
			}
			w, err := store.OpenWriter("latency")
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = w.Close() })
			g.SetJournal(&recordingJournal{w: w})
		}
		return g
	}
	guests := [2]*hostcalls.Guest{guest(false), guest(true)}
	mem := make(benchMemory, 64<<10)
	stack := make([]uint64, 3)
	var took [2][]time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		j := i % 2
		stack[0], stack[1], stack[2] = 1, 0, 1024
		start := time.Now()
		if err := clock.Handler(b.Context(), guests[j], mem, stack); err != nil || stack[0] != 0 {
			b.Fatalf("clock_time_get = %d, %v", stack[0], err)
		}
		took[j] = append(took[j], time.Since(start))
	}
	b.StopTimer()
	off50, on50 := percentileOf(took[0], 50), percentileOf(took[1], 50)
	b.ReportMetric(float64(off50.Nanoseconds())/1e3, "off-p50-us")
	b.ReportMetric(float64(on50.Nanoseconds())/1e3, "journal-p50-us")
	b.ReportMetric(float64(percentileOf(took[1], 99).Nanoseconds())/1e3, "journal-p99-us")
	b.ReportMetric(float64((on50-off50).Nanoseconds())/1e3, "added-p50-us")
}

// percentileOf returns the p-th percentile of ds (nearest rank).
func percentileOf(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[max(int(math.Ceil(p/100*float64(len(s)))), 1)-1]
}
