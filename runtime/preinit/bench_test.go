package preinit_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/runtime"
	"github.com/aiosys/aios/runtime/preinit"
)

// firstReadTable wraps hostcalls' table so that the first fd_read after *at was reset to 0
// stores its time there. The Go reactor's body starts by reading its input, so that is when
// the agent's own code begins: the Go runtime's initialisation, and in a pre-initialised
// module aios.Main's reading of the arguments, come before it.
func firstReadTable(at *atomic.Int64) []hostcalls.Func {
	table := hostcalls.Table()
	for i := range table {
		if table[i].Module != hostcalls.ModuleWASI || table[i].Name != "fd_read" {
			continue
		}
		h := table[i].Handler
		table[i].Handler = func(ctx context.Context, g *hostcalls.Guest, mem hostcalls.Memory, stack []uint64) error {
			at.CompareAndSwap(0, time.Now().UnixNano())
			return h(ctx, g, mem, stack)
		}
	}
	return table
}

// benchEngine is an engine the benchmark measures: name is how it is reported, engine the name
// runtime.NewEngine takes.
type benchEngine struct {
	name, engine string
	pool         runtime.PoolConfig
}

// benchEngines are the engines this build has, and wasmtime also without its pool
// ("wasmtime-ondemand") and with 4 MiB of each slot's memory kept resident ("wasmtime-keep4m").
func benchEngines() []benchEngine {
	var out []benchEngine
	for _, name := range runtime.Engines() {
		out = append(out, benchEngine{name: name, engine: name})
		if name == "wasmtime" {
			out = append(out,
				benchEngine{name: "wasmtime-ondemand", engine: name, pool: runtime.PoolConfig{OnDemand: true}},
				benchEngine{name: "wasmtime-keep4m", engine: name, pool: runtime.PoolConfig{KeepResident: 4 << 20}})
		}
	}
	return out
}

// BenchmarkStartWarm measures starting the Go reactor (testdata/goreactor) from a module
// compiled in memory, with and without pre-initialisation: from Run to the agent's first read
// of its input, the first thing aios_main does (metric ns/to-main). ns/op is the whole run,
// which sleeps 1 ms.
func BenchmarkStartWarm(b *testing.B) {
	plain := fixture(b, "goreactor.wasm")
	res, err := preinit.Run(context.Background(), plain)
	if err != nil {
		b.Fatal(err)
	}
	for _, be := range benchEngines() {
		for _, p := range []struct {
			name string
			wasm []byte
		}{{"goreactor", plain}, {"goreactor-preinit", res.Module}} {
			b.Run(be.name+"/"+p.name, func(b *testing.B) {
				var first atomic.Int64
				e, err := runtime.NewEngine(context.Background(), be.engine, runtime.Config{Table: firstReadTable(&first), Pool: be.pool})
				if err != nil {
					b.Fatal(err)
				}
				defer e.Close(context.Background())
				m, err := e.Compile(context.Background(), p.wasm)
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close(context.Background())
				k := kernel.New(kernel.Cores{echoCore{}})
				lim := limits.Defaults()
				var total time.Duration
				for b.Loop() {
					proc, err := k.Spawn(kernel.Spec{Name: "agent", Seed: 1})
					if err != nil {
						b.Fatal(err)
					}
					first.Store(0)
					start := time.Now()
					_, _ = m.Run(context.Background(), hostcalls.NewGuest(proc, lim), lim)
					if first.Load() == 0 {
						b.Fatal("the agent never read its input")
					}
					total += time.Duration(first.Load() - start.UnixNano())
				}
				b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/to-main")
			})
		}
	}
}
