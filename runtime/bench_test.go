package runtime

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/hostcalls"
)

// benchEngine is an engine the benchmarks measure. benchEngines lists wazero; a build-tagged
// file adds wasmtime (under `-tags wasmtime`), so every benchmark compares the engines built in.
type benchEngine struct {
	name string
	new  func(ctx context.Context, cfg Config) (Engine, error)
}

var benchEngines = []benchEngine{{name: "wazero", new: NewWazero}}

// noopCalls is the number of system calls testdata/noop.wat makes.
const noopCalls = 100000

func newBenchEngine(b *testing.B, be benchEngine, cfg Config) Engine {
	b.Helper()
	e, err := be.new(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// benchPrograms are the modules start and compile benchmarks use.
func benchPrograms(b *testing.B) []struct {
	name string
	wasm []byte
} {
	return []struct {
		name string
		wasm []byte
	}{{"minimal", fixture(b, "minimal.wasm")}, {"goagent", goAgent(b)}}
}

// firstCallTable wraps hostcalls' table so that the first system call after *at was reset to 0
// stores its time there.
func firstCallTable(at *atomic.Int64) []hostcalls.Func {
	table := hostcalls.Table()
	for i := range table {
		h := table[i].Handler
		table[i].Handler = func(ctx context.Context, g *hostcalls.Guest, mem hostcalls.Memory, stack []uint64) error {
			if at.Load() == 0 {
				at.CompareAndSwap(0, time.Now().UnixNano())
			}
			return h(ctx, g, mem, stack)
		}
	}
	return table
}

// BenchmarkStart measures what `aios run` pays before an agent does anything: from Compile of a
// module in the disk cache to the agent's first system call (metric ns/first-syscall). ns/op
// covers the whole run.
func BenchmarkStart(b *testing.B) {
	for _, be := range benchEngines {
		for _, p := range benchPrograms(b) {
			b.Run(be.name+"/"+p.name, func(b *testing.B) {
				dir := b.TempDir()
				warm := newBenchEngine(b, be, Config{CacheDir: dir})
				if _, err := warm.Compile(context.Background(), p.wasm); err != nil {
					b.Fatal(err)
				}
				_ = warm.Close(context.Background())
				var first atomic.Int64
				e := newBenchEngine(b, be, Config{CacheDir: dir, Table: firstCallTable(&first)})
				defer e.Close(context.Background())
				var total time.Duration
				b.ResetTimer()
				for b.Loop() {
					first.Store(0)
					start := time.Now()
					m, err := e.Compile(context.Background(), p.wasm)
					if err != nil {
						b.Fatal(err)
					}
					runModule(b, m, runSpec{})
					total += time.Duration(first.Load() - start.UnixNano())
					// Closing drops the in-memory copy, so the next Compile reads the disk cache.
					_ = m.Close(context.Background())
				}
				b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/first-syscall")
			})
		}
	}
}

// BenchmarkStartWarm measures starting an agent whose module is already compiled in memory, as
// a kernel serving many agents of one module does: from Run to the agent's first system call
// (metric ns/first-syscall).
func BenchmarkStartWarm(b *testing.B) {
	for _, be := range benchEngines {
		for _, p := range benchPrograms(b) {
			b.Run(be.name+"/"+p.name, func(b *testing.B) {
				var first atomic.Int64
				e := newBenchEngine(b, be, Config{Table: firstCallTable(&first)})
				defer e.Close(context.Background())
				m := compile(b, e, p.wasm)
				var total time.Duration
				for b.Loop() {
					first.Store(0)
					start := time.Now()
					runModule(b, m, runSpec{})
					total += time.Duration(first.Load() - start.UnixNano())
				}
				b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/first-syscall")
			})
		}
	}
}

// BenchmarkNoopSyscall measures one aios.abi_version round trip from guest code (metric
// ns/syscall), the fixed cost of every system call.
func BenchmarkNoopSyscall(b *testing.B) {
	for _, be := range benchEngines {
		b.Run(be.name, func(b *testing.B) {
			e := newBenchEngine(b, be, Config{})
			defer e.Close(context.Background())
			m := compile(b, e, fixture(b, "noop.wasm"))
			start := time.Now()
			for b.Loop() {
				if r := runModule(b, m, runSpec{}); r.err != nil {
					b.Fatal(r.err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*noopCalls), "ns/syscall")
		})
	}
}

// BenchmarkCompileCold measures compiling a module with nothing cached.
func BenchmarkCompileCold(b *testing.B) {
	benchCompile(b, false)
}

// BenchmarkCompileCached measures compiling a module in a new engine whose disk cache has it.
func BenchmarkCompileCached(b *testing.B) {
	benchCompile(b, true)
}

func benchCompile(b *testing.B, cached bool) {
	for _, be := range benchEngines {
		for _, p := range benchPrograms(b) {
			b.Run(be.name+"/"+p.name, func(b *testing.B) {
				var cfg Config
				if cached {
					cfg.CacheDir = b.TempDir()
					warm := newBenchEngine(b, be, cfg)
					if _, err := warm.Compile(context.Background(), p.wasm); err != nil {
						b.Fatal(err)
					}
					_ = warm.Close(context.Background())
				}
				for b.Loop() {
					b.StopTimer()
					e := newBenchEngine(b, be, cfg)
					b.StartTimer()
					if _, err := e.Compile(context.Background(), p.wasm); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					_ = e.Close(context.Background())
					b.StartTimer()
				}
			})
		}
	}
}
