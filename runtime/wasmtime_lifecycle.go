//go:build wasmtime

package runtime

import (
	"context"
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// begin registers a compile (stack 0, cancel nil) or a run on the variant for stack, so that
// Close waits for it and cancels a run with errEngineClosed. Call done when it ends.
func (e *wasmtimeEngine) begin(stack uint64, cancel context.CancelCauseFunc) (v *wtVariant, done func(), err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, nil, errEngineClosed
	}
	if stack != 0 {
		v = e.variants[stack]
		if v == nil {
			if v, err = newVariant(stack, e.table); err != nil {
				return nil, nil, fmt.Errorf("wasmtime: %w", err)
			}
			e.variants[stack] = v
		}
	}
	id := e.nextRun
	e.nextRun++
	if cancel != nil {
		e.runs[id] = cancel
	}
	e.busy.Add(1)
	return v, func() {
		e.mu.Lock()
		delete(e.runs, id)
		e.mu.Unlock()
		e.busy.Done()
	}, nil
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

// Close implements Engine. It ends the runs still going (they return a cancellation caused by
// errEngineClosed), waits for them and for compiles in progress, then stops the epoch ticker
// and frees every variant. Modules compiled by e stay valid to close but can no longer run.
// If ctx ends first, Close returns its error and the freeing happens when the last run ends.
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
	release := func() {
		e.ticker.stop()
		for _, v := range e.variants {
			v.close()
		}
	}
	select {
	case <-idle:
		release()
		return nil
	case <-ctx.Done():
		go func() {
			<-idle
			release()
		}()
		return fmt.Errorf("wasmtime: close: runs still ending: %w", ctx.Err())
	}
}
