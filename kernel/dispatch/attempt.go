package dispatch

import (
	"context"
	"errors"
	"time"

	"github.com/aiosys/aios/kernel/llm"
)

// attempt runs one piece on the slot's core, placed there at start, and returns when it ended.
// The slot is freed the moment ctx ends or the piece is preempted, without waiting for the core
// to notice; otherwise finish frees it. A preempted piece returns errPreempted.
//
// One context carries both the attempt's timeout and its preemption: preemptFor marks the slot
// preempted when it cancels a piece nothing else had ended, so a piece that ends for that
// reason is told apart from one the caller cancelled or the timeout ended.
func (d *Dispatcher) attempt(ctx context.Context, s *slot, req llm.Request, start time.Time, onChunk func(llm.Chunk)) (llm.Response, time.Time, error) {
	var (
		actx context.Context
		stop context.CancelFunc
	)
	if d.opts.AttemptTimeout > 0 {
		actx, stop = context.WithTimeout(ctx, d.opts.AttemptTimeout)
	} else {
		actx, stop = context.WithCancel(ctx)
	}
	defer stop()
	d.mu.Lock()
	s.ctx, s.stop = actx, stop
	d.running[s] = struct{}{}
	d.mu.Unlock()
	unhook := context.AfterFunc(actx, s.release)
	defer unhook()
	resp, err := s.c.Core.Generate(actx, req, onChunk)
	ended := d.opts.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil && s.preempted {
		return llm.Response{}, ended, errPreempted
	}
	if err == nil {
		s.c.observeLatency(ended.Sub(start))
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
