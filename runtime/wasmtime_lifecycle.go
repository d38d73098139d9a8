//go:build wasmtime

package runtime

import (
	"context"
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// begin registers a run on the variant for key, so that Close waits for it and cancels it
// with errEngineClosed. Call done when it ends.
func (e *wasmtimeEngine) begin(key variantKey, cancel context.CancelCauseFunc) (v *wtVariant, done func(), err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, nil, errEngineClosed
	}
	if v, err = e.variantLocked(key); err != nil {
		return nil, nil, err
	}
	id := e.nextRun
	e.nextRun++
	e.runs[id] = cancel
	e.busy.Add(1)
	return v, func() {
		e.mu.Lock()
		delete(e.runs, id)
		e.mu.Unlock()
		e.busy.Done()
	}, nil
}

// variant returns the variant for key, made if there is none yet. The caller must have
// registered a run or a compile, so that the variant is freed with the others.
func (e *wasmtimeEngine) variant(key variantKey) (*wtVariant, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.variantLocked(key)
}

// variantLocked is variant with e.mu held. Only the base variant is pooled: any other key
// allocates on demand.
func (e *wasmtimeEngine) variantLocked(key variantKey) (*wtVariant, error) {
	if key == e.base.key() {
		return e.base, nil
	}
	key.pooled = false
	v := e.variants[key]
	if v == nil {
		var err error
		if v, err = newVariant(key.stack, nil, e.table); err != nil {
			return nil, fmt.Errorf("wasmtime: %w", err)
		}
		e.variants[key] = v
	}
	return v, nil
}

// engines lists the Wasmtime engine of every variant, for the epoch ticker.
func (e *wasmtimeEngine) engines() []*wasmtime.Engine {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*wasmtime.Engine, 0, len(e.variants))
	for _, v := range e.variants {
		out = append(out, v.engine)
	}
	return out
}

// beginCompile registers a compile, so that the variants outlive it. Call endCompile when the
// compile ends, whether its caller still waits for it or not.
func (e *wasmtimeEngine) beginCompile() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errEngineClosed
	}
	e.compiles++
	return nil
}

func (e *wasmtimeEngine) endCompile() {
	e.mu.Lock()
	e.compiles--
	e.mu.Unlock()
	e.releaseIfIdle()
}

// releaseIfIdle stops the epoch ticker and frees every variant, once: after Close, when no run
// and no compile is left.
func (e *wasmtimeEngine) releaseIfIdle() {
	e.mu.Lock()
	idle := e.closed && e.runsDone && e.compiles == 0
	e.mu.Unlock()
	if !idle {
		return
	}
	e.release.Do(func() {
		e.ticker.stop()
		e.mu.Lock()
		modules := e.modules
		e.modules = nil
		e.mu.Unlock()
		for m := range modules {
			m.freeCode()
		}
		for _, v := range e.variants {
			v.close()
		}
		if e.releasePool != nil {
			e.releasePool()
		}
	})
}

// Close implements Engine. It ends the runs still going (they return a cancellation caused by
// errEngineClosed) and waits for them; then, once no compile is in progress either, it stops
// the epoch ticker and frees every variant and the code of every module compiled by e (which
// holds its Wasmtime engine, and so the pool, alive). Modules compiled by e stay valid to
// close but can no longer run. If ctx ends first, Close returns its error and the freeing
// happens when the last run ends. Close does not wait for compiles (a compile cannot be
// stopped, and one may have been abandoned by its caller): the last one frees the variants
// when it ends.
func (e *wasmtimeEngine) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	for _, cancel := range e.runs {
		cancel(errEngineClosed)
	}
	e.mu.Unlock()

	idle := make(chan struct{})
	go func() {
		e.busy.Wait()
		close(idle)
	}()
	runsEnded := func() {
		e.mu.Lock()
		e.runsDone = true
		e.mu.Unlock()
		e.releaseIfIdle()
	}
	select {
	case <-idle:
		runsEnded()
		return nil
	case <-ctx.Done():
		go func() {
			<-idle
			runsEnded()
		}()
		return fmt.Errorf("wasmtime: close: runs still ending: %w", ctx.Err())
	}
}
