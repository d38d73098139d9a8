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
				rss, heap = holdAgents(b, sys, agent, p.n)
			}
			b.ReportMetric(rss, "rss-B/agent")
			b.ReportMetric(heap, "heap-B/agent")
		})
	}
}

// holdAgents starts n runs of agent, waits until all are blocked, measures, then ends them.
func holdAgents(b *testing.B, sys *aios.System, agent *aios.Agent, n int) (rssPerAgent, heapPerAgent float64) {
	runtime.GC()
	rss0, heap0 := residentBytes(b), heapBytes()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { _, _ = agent.Run(ctx, aios.RunOptions{}) })
	}
	deadline := time.Now().Add(10 * time.Minute)
	for blocked(sys) < n {
		if time.Now().After(deadline) {
			cancel()
			b.Fatalf("only %d of %d agents blocked after 10 minutes", blocked(sys), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	runtime.GC()
	rss1, heap1 := residentBytes(b), heapBytes()
	cancel()
	wg.Wait()
	return float64(rss1-rss0) / float64(n), float64(heap1-heap0) / float64(n)
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
