package runtime

import (
	"context"
	"errors"
	"fmt"

	"github.com/aiosys/aios/limits"
)

// memoryCeiling returns the most linear memory an instance may have under lim, in whole
// pages' bytes, or an error wrapping a memory ExceededError if the module's initial memory
// (from its report) is already above it.
func memoryCeiling(r *Report, lim limits.Limits) (uint64, error) {
	maxMem := lim.Memory / PageSize * PageSize
	if mem := r.Memory; mem != nil && mem.MinPages > maxMem/PageSize {
		return 0, fmt.Errorf("run: the module's initial memory of %d pages is above the limit: %w",
			mem.MinPages, memoryExceeded(maxMem))
	}
	return maxMem, nil
}

// runContext is the context one run executes under: cancel ends it with a cause (a limit, the
// engine closing), and it ends by itself at lim.WallTime with a wall_time ExceededError. stop
// releases it.
func runContext(ctx context.Context, lim limits.Limits) (runCtx context.Context, cancel context.CancelCauseFunc, stop func()) {
	runCtx, cancel = context.WithCancelCause(ctx)
	runCtx, cancelWall := context.WithTimeoutCause(runCtx, lim.WallTime, durationExceeded("wall_time", lim.WallTime))
	return runCtx, cancel, func() { cancelWall(); cancel(nil) }
}

// memoryOutcome is the outcome of a run that reached its memory limit and then trapped: the
// trap was most likely the guest giving up for want of memory (Rust aborts, a C program
// dereferences NULL), so the limit is the more useful account of its end. Other outcomes are
// kept: the agent handled the failed grow.
func memoryOutcome(rep RunReport, maxMem uint64, out error) error {
	var trap *TrapError
	if rep.MemoryLimitReached && errors.As(out, &trap) && trap.Err == nil {
		return memoryExceeded(maxMem)
	}
	return out
}
