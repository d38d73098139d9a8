package dispatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aiosys/aios/kernel/llm"
)

// attempt runs one piece on the slot's core, placed there at start, and returns when it ended.
// The slot is freed the moment ctx ends, the attempt times out or the piece is preempted,
// without waiting for the core to notice; otherwise finish frees it. A preempted piece returns
// errPreempted, one that timed out an error matching context.DeadlineExceeded.
//
// One context of its own carries the piece's timeout and preemption besides the caller's
// cancellation, each stopping it with its own cause (the first wins). The watchdog (see
// watch) and preemptFor free the slot themselves, and a hook on ctx does only when ctx can end
// at all.
func (d *Dispatcher) attempt(ctx context.Context, s *slot, req llm.Request, start time.Time, onChunk func(llm.Chunk)) (llm.Response, time.Time, error) {
	actx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	timeout := d.opts.AttemptTimeout
	d.mu.Lock()
	s.stop = stop
	if timeout > 0 {
		s.deadline = start.Add(timeout)
		d.watch(s.deadline, start)
	}
	d.running[s] = struct{}{}
	d.mu.Unlock()
	if ctx.Done() != nil {
		unhook := context.AfterFunc(ctx, s.release)
		defer unhook()
	}
	resp, err := s.c.Core.Generate(actx, req, onChunk)
	ended := d.opts.Now()
	if err != nil {
		switch context.Cause(actx) {
		case errPreempted:
			return llm.Response{}, ended, errPreempted
		case errAttemptTimeout:
			err = fmt.Errorf("%w after %s: %w", errAttemptTimeout, timeout, context.DeadlineExceeded)
		}
	}
	if err == nil {
		d.mu.Lock()
		s.c.observeLatency(ended.Sub(start))
		d.mu.Unlock()
	}
	return resp, ended, err
}

// finish records the outcome of a piece that ended at now: the scheduler's service, the core's
// health and its token window; used is the tokens the piece used (estimated for a preempted
// one).
func (d *Dispatcher) finish(ctx context.Context, s *slot, used int, err error, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.running, s)
	c := s.c
	switch {
	case err == nil:
		c.failures = 0
		if s.tpm != nil {
			c.tpm.correct(s.tpm, used)
		}
	case errors.Is(err, errPreempted):
		if s.tpm != nil {
			c.tpm.correct(s.tpm, used)
		}
	case ctx.Err() != nil:
		// The caller gave up; the core is not to blame.
	default:
		retry, after := d.opts.Retryable(err)
		if !retry {
			break
		}
		if after > 0 {
			// The backend asked for a pause (Retry-After): honour it; it is not a failure.
			c.coolUntil = maxTime(c.coolUntil, now.Add(after))
			break
		}
		c.failures++
		if c.failures >= d.opts.FailureThreshold {
			c.failures = 0
			c.coolUntil = now.Add(d.opts.Cooldown)
		}
	}
	d.q.Done(s.job, used)
	s.free()
	d.scheduleAt(now)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
