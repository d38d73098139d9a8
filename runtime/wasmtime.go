//go:build wasmtime

package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/limits"
)

// errEngineClosed ends the runs still going when their engine closes, and refuses new work.
var errEngineClosed = errors.New("wasmtime: engine closed")

// wasmtimeEngine runs agents on Wasmtime (https://wasmtime.dev) through wasmtime-go, which
// links Wasmtime's C library with cgo. Wasmtime fixes the wasm stack bound per engine, so e
// keeps one variant (a Wasmtime engine and its linker) per stack limit in use; one ticker
// advances the epoch of every variant, which is how running code is interrupted. The default
// stack's variant allocates instances from a pool (see PoolConfig); the others, and modules
// that do not fit the pool's slots, allocate on demand (docs/RATIONALE.md).
type wasmtimeEngine struct {
	table  []hostcalls.Func
	lookup lookupFunc
	cache  *artifactCache // nil without a disk cache
	base   *wtVariant     // the default stack's variant, pooled unless Pool.OnDemand; it compiles
	ticker *epochTicker
	// releasePool gives back the pool's share of the process's address-space budget; nil
	// without a pool.
	releasePool func()

	mu       sync.Mutex
	closed   bool
	variants map[variantKey]*wtVariant
	// modules are the modules compiled and not yet closed: their code holds the Wasmtime
	// engines, and with them the pool, until it is freed, which release does at the latest.
	modules map[*wasmtimeModule]struct{}
	runs    map[uint64]context.CancelCauseFunc
	nextRun uint64
	busy    sync.WaitGroup // runs in progress
	slots   chan struct{}  // one per running agent, at most Config.MaxRunning
	gate    compileGate
	// compiles counts compiles in progress, abandoned ones included; the variants are freed
	// once Close has seen the runs end and compiles is zero (release).
	compiles int
	runsDone bool
	release  sync.Once
}

// defaultMaxRunning is Config.MaxRunning's default: well under Go's 10,000-thread limit.
const defaultMaxRunning = 2048

// NewWasmtime returns the engine built with the `wasmtime` build tag. It takes the same Config
// as NewWazero; compiled modules are cached under cfg.CacheDir/wasmtime-<version>.
//
// # Notes
//
//   - limits.Limits.Stack is honoured (Wasmtime's max_wasm_stack), rounded down to 64 KiB and
//     clamped to between 64 KiB and 4 MiB so that wasm always fits on the host thread's stack.
//   - Code that never calls the host is interrupted through Wasmtime's epochs: a cancelled
//     context, a time limit or Close stops it within a few milliseconds (epochTick).
//   - A memory.grow past limits.Limits.Memory fails in the guest (-1) as the spec allows, but
//     Wasmtime's C API does not report it: RunReport.MemoryLimitReached is set when the memory
//     ends with no room for one more page. A guest that then traps is reported as having passed
//     the memory limit; one that handles the failure or exits keeps its own outcome.
//   - Deserializing a cached artifact runs the code in it: CacheDir must be writable only by
//     the user that runs aios. The directory is created with mode 0700.
//   - Agents start from a pool of Config.MaxRunning instance slots (PoolConfig), which the
//     engine reserves when it starts, unless cfg.Pool.OnDemand. If the pools of the wasmtime
//     engines open in the process would pass 64 TiB of address space, or the process cannot
//     reserve the pool's now (ulimit -v, for one), the engine starts agents on demand instead
//     and logs a warning (slog's default logger) saying why.
func NewWasmtime(ctx context.Context, cfg Config) (Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("wasmtime: %w", err)
	}
	if _, err := storePointerOffset(); err != nil {
		return nil, fmt.Errorf("wasmtime: %w", err)
	}
	table := cfg.Table
	if table == nil {
		table = hostcalls.Table()
	}
	var cache *artifactCache
	if cfg.CacheDir != "" {
		c, err := openArtifactCache(cfg.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("wasmtime: %w", err)
		}
		cache = c
	}
	maxRunning := cfg.MaxRunning
	if maxRunning == 0 {
		maxRunning = defaultMaxRunning
	}
	stack := wasmStack(limits.Defaults().Stack)
	var (
		base        *wtVariant
		releasePool func()
		err         error
	)
	if cfg.Pool.OnDemand {
		base, err = newVariant(stack, nil, table)
	} else {
		base, releasePool, err = newPooledVariant(stack, poolSizesOf(cfg, maxRunning), table)
		if errors.Is(err, errNoPool) {
			// Slower starts beat no engine: a process under ulimit -v, or with many engines
			// open, still runs its agents.
			slog.Default().Warn("wasmtime: agents start without the pooling allocator", slog.String("reason", err.Error()))
			base, err = newVariant(stack, nil, table)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("wasmtime: %w", err)
	}
	e := &wasmtimeEngine{
		slots:       make(chan struct{}, maxRunning),
		table:       table,
		lookup:      tableLookup(table),
		cache:       cache,
		base:        base,
		releasePool: releasePool,
		variants:    map[variantKey]*wtVariant{base.key(): base},
		modules:     map[*wasmtimeModule]struct{}{},
		runs:        map[uint64]context.CancelCauseFunc{},
		gate:        newCompileGate(),
	}
	e.ticker = startEpochTicker(epochTick, e.engines)
	return e, nil
}

// Name implements Engine.
func (e *wasmtimeEngine) Name() string { return "wasmtime" }

// Compile implements Engine: Inspect, Check, the structural limits, then compile with
// Cranelift (served from the disk cache when the same module was compiled before by the same
// Wasmtime version and host). It returns when ctx ends even if the compile goes on (see
// compileWithin); Close does not wait for such a compile, but frees the engine only after it.
func (e *wasmtimeEngine) Compile(ctx context.Context, wasm []byte) (Module, error) {
	m, err := compileWithin(ctx, e, e.gate, func() (*wasmtimeModule, error) {
		rep, err := inspectAndCheck(wasm, e.lookup)
		if err != nil {
			return nil, err
		}
		cm, home, err := e.compile(wasm)
		if err != nil {
			return nil, fmt.Errorf("compile: %w", err)
		}
		return e.addModule(rep, home, cm), nil
	}, func(m *wasmtimeModule) { _ = m.Close(context.Background()) })
	if err != nil {
		return nil, err
	}
	return m, nil
}

// compile compiles wasm for the base variant, through the disk cache if there is one, and
// returns it with the variant it was made for, its home. A cached artifact that Wasmtime
// refuses (another version, other CPU features) is replaced.
//
// Wasmtime refuses, when it compiles or loads it, a module that does not fit the base
// variant's pool (a table larger than a slot's, more tables, more instance state): such a
// module is made, and runs, on the default stack's on-demand variant instead.
func (e *wasmtimeEngine) compile(wasm []byte) (*wasmtime.Module, *wtVariant, error) {
	if e.cache != nil {
		if art, ok := e.cache.load(wasm); ok {
			if cm, err := wasmtime.NewModuleDeserialize(e.base.engine, art); err == nil {
				return cm, e.base, nil
			}
			if e.base.pool != nil {
				v, err := e.variant(variantKey{stack: e.base.stack})
				if err != nil {
					return nil, nil, err
				}
				if cm, err := wasmtime.NewModuleDeserialize(v.engine, art); err == nil {
					return cm, v, nil
				}
			}
		}
	}
	cm, err := e.compileNew(e.base, wasm)
	if err == nil || e.base.pool == nil {
		return cm, e.base, err
	}
	v, err := e.variant(variantKey{stack: e.base.stack})
	if err != nil {
		return nil, nil, err
	}
	// Its error, if any, is the module's own, not the pool's.
	cm, err = e.compileNew(v, wasm)
	return cm, v, err
}

// compileNew compiles wasm for v and keeps the artifact in the disk cache if there is one.
func (e *wasmtimeEngine) compileNew(v *wtVariant, wasm []byte) (*wasmtime.Module, error) {
	cm, err := wasmtime.NewModule(v.engine, wasm)
	if err != nil {
		msg, _ := splitWasmtimeError(err)
		return nil, errors.New(msg)
	}
	if e.cache != nil {
		// A cache that cannot be written costs the next compile, not this one.
		if art, err := cm.Serialize(); err == nil {
			_ = e.cache.store(wasm, art)
		}
	}
	return cm, nil
}
