package aios_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
)

var (
	densityMinimal = flag.Int("density.minimal", 10000, "minimal agents alive at once in BenchmarkDensity")
	densityGo      = flag.Int("density.go", 1000, "Go sample agents alive at once in BenchmarkDensity")
	densityEngine  = flag.String("density.engine", "wazero", "engine for BenchmarkDensity")
	densityBudget  = flag.Int64("density.budget", 20<<30, "BenchmarkDensity stops, failing, when the process's resident set passes this many bytes")
	densityProfile = flag.String("density.heapprofile", "", "BenchmarkDensity writes a heap profile here (suffixed with the agent) while all agents are blocked")
)

// BenchmarkDensity measures host memory per idle agent: it starts N agents that each block in
// llm_generate (on an echo core that answers only after an hour), waits until the process
// table shows all N blocked, and reports the growth of the process's resident set size divided by
// N (metric rss-B/agent) and of the Go heap (heap-B/agent). Run with -benchtime 1x.
func BenchmarkDensity(b *testing.B) {
	programs := []struct {
		name string
		wasm func(testing.TB) []byte
		n    int
	}{
		{"minimal", func(tb testing.TB) []byte { return readFile(tb, "testdata/generate.wasm") }, *densityMinimal},
		{"go-hello", buildSample("hello"), *densityGo},
	}
	for _, p := range programs {
		b.Run(fmt.Sprintf("%s/%s/%d", *densityEngine, p.name, p.n), func(b *testing.B) {
			wasm := p.wasm(b)
			echo, err := llm.NewEcho(llm.CoreConfig{Kind: llm.KindEcho, Latency: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			sys, err := aios.New(ctx, config.Config{}, aios.WithCores(echo), aios.WithEngine(*densityEngine))
			if err != nil {
				b.Fatal(err)
			}
			defer sys.Close(ctx)
			agent, err := sys.Load(ctx, p.name, wasm)
			if err != nil {
				b.Fatal(err)
			}
			var rss, heap float64
			for b.Loop() {
				rss, heap = holdAgents(b, sys, agent, p.n, p.name)
			}
			b.ReportMetric(rss, "rss-B/agent")
			b.ReportMetric(heap, "heap-B/agent")
		})
	}
}

// BenchmarkProcessHeap measures the kernel's own bookkeeping per process: it spawns
// -density.minimal processes in a kernel built as `aios run` builds it, with nothing running
// in them, and reports the growth of the Go heap divided by their number (metric
// heap-B/process), then reaps them.
func BenchmarkProcessHeap(b *testing.B) {
	ctx := context.Background()
	sys, err := aios.New(ctx, config.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer sys.Close(ctx)
	k := sys.Kernel()
	n := *densityMinimal
	var perProcess float64
	for b.Loop() {
		procs := make([]*kernel.Process, 0, n)
		runtime.GC()
		heap0 := heapBytes()
		for range n {
			p, err := k.Spawn(kernel.Spec{Name: "agent", Tenant: "density"})
			if err != nil {
				b.Fatal(err)
			}
			procs = append(procs, p)
		}
		runtime.GC()
		perProcess = float64(heapBytes()-heap0) / float64(n)
		if *densityProfile != "" {
			writeProfile(b, "heap", *densityProfile+".process")
		}
		for _, p := range procs {
			p.Exit(0)
			k.Reap(p.PID())
		}
	}
	b.ReportMetric(perProcess, "heap-B/process")
}

// holdAgents starts n runs of agent, waits until all are blocked, measures, then ends them.
// It starts them in batches and stops, failing, as soon as the resident set passes
// -density.budget, so that a measurement too large for the machine ends with a message
// rather than the kernel's out-of-memory killer.
func holdAgents(b *testing.B, sys *aios.System, agent *aios.Agent, n int, name string) (rssPerAgent, heapPerAgent float64) {
	// Return the heap a previous measurement freed to the OS, so that it is not counted
	// before and reused unseen.
	debug.FreeOSMemory()
	rss0, heap0 := residentBytes(b), heapBytes()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	overBudget := func(started int) {
		if rss := residentBytes(b); rss > *densityBudget {
			held := blocked(sys)
			cancel()
			wg.Wait()
			b.Fatalf("stopped at %d of %d agents (%d blocked): resident set %.1f GiB passed the budget of %.1f GiB (-density.budget)",
				started, n, held, float64(rss)/(1<<30), float64(*densityBudget)/(1<<30))
		}
	}
	deadline := time.Now().Add(10 * time.Minute)
	// waitBlocked waits until want agents are blocked, checking the budget meanwhile.
	waitBlocked := func(want, started int) {
		for blocked(sys) < want {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d started agents blocked after 10 minutes", blocked(sys), started)
			}
			time.Sleep(10 * time.Millisecond)
			overBudget(started)
		}
	}
	const batch = 1000
	for started := 0; started < n; {
		for range min(batch, n-started) {
			wg.Go(func() { _, _ = agent.Run(ctx, aios.RunOptions{}) })
			started++
		}
		overBudget(started)
		// Let most of the batch reach its system call, so that the resident set is checked
		// before the next one.
		waitBlocked(started-batch/2, started)
	}
	waitBlocked(n, n)
	runtime.GC()
	rss1, heap1 := residentBytes(b), heapBytes()
	b.Logf("%d %s agents blocked at once: resident set %.2f GiB (%.2f GiB before), Go heap and stacks %.2f GiB, %d goroutines",
		n, name, float64(rss1)/(1<<30), float64(rss0)/(1<<30), float64(heap1)/(1<<30), runtime.NumGoroutine())
	if *densityProfile != "" {
		writeProfile(b, "heap", *densityProfile+"."+name)
		writeProfile(b, "goroutine", *densityProfile+"."+name+".goroutine")
	}
	return float64(rss1-rss0) / float64(n), float64(heap1-heap0) / float64(n)
}

// writeProfile writes the named runtime/pprof profile to path.
func writeProfile(tb testing.TB, name, path string) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		tb.Fatal(err)
	}
}

func blocked(sys *aios.System) int {
	n := 0
	for _, p := range sys.Kernel().Processes() {
		if p.State == kernel.Blocked {
			n++
		}
	}
	return n
}

func heapBytes() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}

// residentBytes reads the process's resident set size from /proc (Linux).
func residentBytes(tb testing.TB) int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		tb.Fatalf("read resident set size: %v", err)
	}
	f := strings.Fields(string(data))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		tb.Fatalf("parse /proc/self/statm: %v", err)
	}
	return pages * int64(os.Getpagesize())
}

func readFile(tb testing.TB, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// buildSample compiles samples/<name> for wasip1 once per test binary.
func buildSample(name string) func(testing.TB) []byte {
	var once sync.Once
	var wasm []byte
	var err error
	return func(tb testing.TB) []byte {
		once.Do(func() {
			out := filepath.Join(os.TempDir(), "aios-sample-"+name+".wasm")
			cmd := exec.Command("go", "build", "-o", out, "./"+name)
			cmd.Dir = "samples"
			cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err = cmd.Run(); err != nil {
				err = fmt.Errorf("build sample %s: %v\n%s", name, err, stderr.Bytes())
				return
			}
			wasm, err = os.ReadFile(out)
		})
		if err != nil {
			tb.Fatal(err)
		}
		return wasm
	}
}
