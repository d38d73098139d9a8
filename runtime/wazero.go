package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/tetratelabs/wazero"

	"github.com/aiosys/aios/hostcalls"
)

// wazeroEngine runs agents on wazero (https://wazero.io), a WebAssembly runtime in pure Go. One
// wazero.Runtime holds the host modules, bound once, and every compiled module.
type wazeroEngine struct {
	rt     wazero.Runtime
	cache  wazero.CompilationCache // nil without a disk cache
	lookup lookupFunc
	gate   compileGate
	same   sameModuleLocks

	// wazero's runtime must not close under a compile: Close leaves that to the last compile
	// to end (see Close).
	mu       sync.Mutex
	closed   bool
	compiles int
	closeRT  func()
}

// NewWazero returns the default engine. It compiles with wazero's optimizing compiler where the
// platform has one (amd64, arm64) and interprets elsewhere.
//
// # Notes
//
//   - Modules are compiled with termination checks so that a cancelled context, a wall-time or
//     active-time (cpu_time) limit can stop code that never calls the host.
//   - wazero has no stack-size setting: limits.Limits.Stack is ignored and wazero's own fixed
//     call-stack bound applies; passing it ends the agent with a "stack" ExceededError.
func NewWazero(ctx context.Context, cfg Config) (Engine, error) {
	table := cfg.Table
	if table == nil {
		table = hostcalls.Table()
	}
	rc := wazero.NewRuntimeConfig().WithCloseOnContextDone(true)
	var cache wazero.CompilationCache
	if cfg.CacheDir != "" {
		if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("wazero: compilation cache: %w", err)
		}
		c, err := wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("wazero: compilation cache %s: %w", cfg.CacheDir, err)
		}
		cache = c
		rc = rc.WithCompilationCache(c)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	if err := bindHostModules(ctx, rt, table); err != nil {
		return nil, errors.Join(fmt.Errorf("wazero: %w", err), closeAll(ctx, rt, cache))
	}
	return &wazeroEngine{rt: rt, cache: cache, lookup: tableLookup(table), gate: newCompileGate()}, nil
}

// Name implements Engine.
func (e *wazeroEngine) Name() string { return "wazero" }

// Compile implements Engine: Inspect, Check, the structural limits, then compile (served from
// the disk cache when the same module was compiled before with the same CacheDir and wazero
// version). It returns when ctx ends even if the work goes on (see compileWithin).
func (e *wazeroEngine) Compile(ctx context.Context, wasm []byte) (Module, error) {
	m, err := compileWithin(ctx, e, e.gate, func() (*wazeroModule, error) {
		rep, err := inspectAndCheck(wasm, e.lookup)
		if err != nil {
			return nil, err
		}
		// Instances start from a memory image rather than copying the data segments
		// (see memoryImage); wazero compiles the module without their bytes.
		code, image := newMemoryImage(wasm, rep)
		// Not ctx: wazero reads only values from it, and a compile that outlives its caller
		// must not see the caller's context.
		unlock := e.same.lock(code)
		cm, err := e.rt.CompileModule(context.WithoutCancel(ctx), code)
		unlock()
		if err != nil {
			if image != nil {
				image.Close()
			}
			return nil, fmt.Errorf("compile: %w", err)
		}
		return &wazeroModule{rt: e.rt, compiled: cm, report: rep, image: image}, nil
	}, func(m *wazeroModule) { _ = m.Close(context.Background()) })
	if err != nil {
		return nil, err
	}
	return m, nil
}

var errWazeroClosed = errors.New("wazero: engine closed")

func (e *wazeroEngine) beginCompile() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errWazeroClosed
	}
	e.compiles++
	return nil
}

func (e *wazeroEngine) endCompile() {
	e.mu.Lock()
	e.compiles--
	closeRT := e.closeRT
	if e.compiles > 0 {
		closeRT = nil
	}
	e.mu.Unlock()
	if closeRT != nil {
		closeRT()
	}
}

// Close implements Engine. It closes every module compiled by e and ends their running
// instances.
//
// # Notes
//
// A compile cannot be stopped, and one may have been abandoned by its caller (see
// compileWithin). Close does not wait for it: it returns at once, and the last compile to end
// closes the runtime, ending the instances still running only then.
func (e *wazeroEngine) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	if e.compiles > 0 {
		e.closeRT = func() { _ = closeAll(context.Background(), e.rt, e.cache) }
		e.mu.Unlock()
		return nil
	}
	e.mu.Unlock()
	return closeAll(ctx, e.rt, e.cache)
}

func closeAll(ctx context.Context, rt wazero.Runtime, cache wazero.CompilationCache) error {
	err := rt.Close(ctx)
	if cache != nil {
		err = errors.Join(err, cache.Close(ctx))
	}
	if err != nil {
		return fmt.Errorf("wazero: close: %w", err)
	}
	return nil
}
