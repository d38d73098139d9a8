package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tetratelabs/wazero"

	"github.com/aiosys/aios/hostcalls"
)

// wazeroEngine runs agents on wazero (https://wazero.io), a WebAssembly runtime in pure Go. One
// wazero.Runtime holds the host modules, bound once, and every compiled module.
type wazeroEngine struct {
	rt     wazero.Runtime
	cache  wazero.CompilationCache // nil without a disk cache
	lookup lookupFunc
}

// NewWazero returns the default engine. It compiles with wazero's optimizing compiler where the
// platform has one (amd64, arm64) and interprets elsewhere.
//
// # Notes
//
//   - Modules are compiled with termination checks so that a cancelled context, a wall-time or
//     CPU-time limit or a memory limit can stop code that never calls the host.
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
	return &wazeroEngine{rt: rt, cache: cache, lookup: tableLookup(table)}, nil
}

// Name implements Engine.
func (e *wazeroEngine) Name() string { return "wazero" }

// Compile implements Engine: Inspect, Check, then compile (served from the disk cache when the
// same module was compiled before with the same CacheDir and wazero version).
func (e *wazeroEngine) Compile(ctx context.Context, wasm []byte) (Module, error) {
	rep, err := Inspect(wasm)
	if err != nil {
		return nil, err
	}
	if err := check(rep, e.lookup); err != nil {
		return nil, err
	}
	cm, err := e.rt.CompileModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	return &wazeroModule{rt: e.rt, compiled: cm, report: rep}, nil
}

// Close implements Engine. It closes every module compiled by e and ends their running
// instances.
func (e *wazeroEngine) Close(ctx context.Context) error {
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
