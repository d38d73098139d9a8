package runtime

import (
	"context"
	"fmt"
	goruntime "runtime"
	"sync"
)

// compileGate bounds the compiles one engine runs at once, those whose caller gave up
// included: neither wazero nor Wasmtime can stop a compile once it has begun.
type compileGate chan struct{}

// compilingEngine is an engine that must outlive the compiles it starts.
type compilingEngine interface {
	beginCompile() error // registers a compile, or fails if the engine is closed
	endCompile()
}

// newCompileGate allows one compile per processor (at least two): compiling is CPU-bound, so
// more at once would only slow each down.
func newCompileGate() compileGate { return make(compileGate, max(2, goruntime.GOMAXPROCS(0))) }

// compileWithin runs compile (validation and compilation) on its own goroutine, in a slot of
// gate, and returns its result, or an error wrapping ctx's cause as soon as ctx ends, waiting
// for a slot or compiling.
//
// # Notes
//
// A compile whose caller gave up runs on to its end, still holding its slot, then passes a
// module it made to discard. So the work a caller abandons is bounded by gate's size: at most
// that many compiles run at once, and later callers wait (within their own contexts) for a
// slot.
//
// The engine e registers the compile for its whole life, discarding included, so that e frees
// nothing the compile uses (beginCompile fails once e is closed).
func compileWithin[T any](ctx context.Context, e compilingEngine, gate compileGate, compile func() (T, error), discard func(T)) (T, error) {
	var zero T
	if ctx.Err() != nil {
		return zero, fmt.Errorf("compile: not started: %w", context.Cause(ctx))
	}
	select {
	case gate <- struct{}{}:
	case <-ctx.Done():
		return zero, fmt.Errorf("compile: abandoned waiting for a compile slot: %w", context.Cause(ctx))
	}
	type result struct {
		v   T
		err error
	}
	var (
		mu        sync.Mutex
		abandoned bool
		done      = make(chan result, 1)
	)
	go func() {
		defer func() { <-gate }()
		if err := e.beginCompile(); err != nil {
			done <- result{zero, err}
			return
		}
		defer e.endCompile()
		v, err := compile()
		mu.Lock()
		defer mu.Unlock()
		if !abandoned {
			done <- result{v, err}
		} else if err == nil {
			discard(v)
		}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		select {
		case r := <-done: // it finished meanwhile
			return r.v, r.err
		default:
		}
		abandoned = true
		return zero, fmt.Errorf("compile: abandoned: %w", context.Cause(ctx))
	}
}
