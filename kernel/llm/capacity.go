package llm

import (
	"context"
	"fmt"
	"time"
)

// slots bounds the requests a core has in flight. A nil slots has no bound.
type slots chan struct{}

func newSlots(capacity int) slots {
	if capacity <= 0 {
		return nil
	}
	return make(slots, capacity)
}

// acquire takes a slot, waiting for one to be free unless ctx ends first.
func (s slots) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil || s == nil {
		return err
	}
	select {
	case s <- struct{}{}: // a free slot: no need for ctx's done channel
		return nil
	default:
	}
	select {
	case s <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release frees a slot that acquire took.
func (s slots) release() {
	if s != nil {
		<-s
	}
}

// withTimeout bounds ctx by d when d > 0; otherwise it returns ctx itself, with nothing to
// cancel (a context derived only to be cancelled would cost each request two allocations).
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// ctxError explains why ctx, derived from parent by withTimeout(parent, d), ended: the caller's
// own error when the caller cancelled, otherwise a timeout naming d.
func ctxError(parent, ctx context.Context, d time.Duration) error {
	if err := parent.Err(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("request timed out after %s: %w", d, err)
	}
	return nil
}
