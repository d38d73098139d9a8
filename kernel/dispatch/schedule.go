package dispatch

import (
	"context"
	"time"

	"github.com/aiosys/aios/kernel/sched"
)

// waiter is a request in the queue, waiting to be placed on a core.
//
// One allocation holds a piece's waiter, its scheduler job and, once placed, its slot.
type waiter struct {
	job    sched.Job // Value is the waiter
	slot   slot      // set by acquire when placed
	route  route
	tokens int           // estimated tokens, for TPM
	avoid  *core         // the core that just failed it: used only if no other can serve
	ready  chan struct{} // closed when placed; made only for a waiter not placed at once

	// Set by place, under the dispatcher's mutex.
	core *core
	tpm  *sent
}

// acquire queues job at now and waits until it is placed on a core or ctx ends. It returns
// when the job was placed: now itself when a core had room at once.
func (d *Dispatcher) acquire(ctx context.Context, job *sched.Job, now time.Time) (*slot, time.Time, error) {
	w := job.Value.(*waiter)
	d.mu.Lock()
	d.q.Push(job)
	w.queued(1)
	d.scheduleAt(now)
	placed := w.core != nil
	if !placed {
		w.ready = make(chan struct{})
	}
	d.mu.Unlock()
	if placed {
		return w.take(d, job), now, nil
	}
	select {
	case <-w.ready:
		return w.take(d, job), d.opts.Now(), nil
	case <-ctx.Done():
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now = d.opts.Now()
	if w.core == nil {
		d.q.Remove(job)
		w.queued(-1)
		return nil, now, ctx.Err()
	}
	// Placed just as ctx ended: hand the place back at once.
	w.core.inflight--
	d.q.Done(job, 0)
	d.scheduleAt(now)
	return nil, now, ctx.Err()
}

// take returns the slot w holds on the core it was placed on.
func (w *waiter) take(d *Dispatcher, job *sched.Job) *slot {
	w.slot = slot{d: d, c: w.core, tpm: w.tpm, job: job}
	return &w.slot
}

// schedule is scheduleAt the present time. Called with d.mu held.
func (d *Dispatcher) schedule() { d.scheduleAt(d.opts.Now()) }

// scheduleAt places waiting jobs on cores in the policy's order while any core has room at
// now, or a running piece whose slice has ended can be preempted for them. A job whose cores
// are all busy is set aside (and restored, in place) so the jobs behind it for other cores
// still run: the dispatcher is work-conserving. Called with d.mu held.
func (d *Dispatcher) scheduleAt(now time.Time) {
	var skipped []*sched.Job
	var wake time.Duration
	for d.q.Len() > 0 && (d.anyRoom(now) || d.anyExpired(now)) {
		j := d.q.Pop()
		w := j.Value.(*waiter)
		wait := d.place(w, now)
		if wait >= 0 && d.preemptFor(j, now) {
			wait = d.place(w, now)
		}
		if wait >= 0 {
			skipped = append(skipped, j)
			if wait > 0 && (wake == 0 || wait < wake) {
				wake = wait
			}
			continue
		}
		if w.ready != nil {
			close(w.ready)
		}
	}
	for i := len(skipped) - 1; i >= 0; i-- {
		d.q.Restore(skipped[i])
	}
	if d.q.Len() == 0 {
		return // nothing waits: no wake-up needed (wakeIn would not arm one)
	}
	for _, c := range d.cores {
		if cool := c.coolUntil.Sub(now); cool > 0 && (wake == 0 || cool < wake) {
			wake = cool
		}
	}
	if next := d.nextSliceEnd(now); next > 0 && (wake == 0 || next < wake) {
		wake = next
	}
	d.wakeIn(now, wake)
}

// place puts w on the best core that can take it now and returns -1; otherwise it returns how
// long until one of its cores might (zero: only when a request finishes).
func (d *Dispatcher) place(w *waiter, now time.Time) time.Duration {
	var best, fallback *core
	wake := time.Duration(0)
	for _, c := range w.route.cores {
		wait, full := c.readyIn(now, w.tokens)
		if wait > 0 && (wake == 0 || wait < wake) {
			wake = wait
		}
		if wait > 0 || full {
			continue
		}
		if c == w.avoid {
			fallback = c
			continue
		}
		if best == nil || d.better(c, best) {
			best = c
		}
	}
	if best == nil {
		best = fallback
	}
	if best == nil {
		return wake
	}
	best.inflight++
	w.queued(-1)
	if best.rpm != nil {
		best.rpm.add(now, 1)
	}
	if best.tpm != nil {
		w.tpm = best.tpm.add(now, w.tokens)
	}
	w.core = best
	return -1
}

// anyRoom reports whether some core could take a request now, ignoring rate limits.
func (d *Dispatcher) anyRoom(now time.Time) bool {
	for _, c := range d.cores {
		if c.inflight < c.Capacity && !now.Before(c.coolUntil) {
			return true
		}
	}
	return false
}

// wakeIn makes sure schedule runs again after wait (zero: no need). Called with d.mu held.
func (d *Dispatcher) wakeIn(now time.Time, wait time.Duration) {
	if wait <= 0 || d.q.Len() == 0 {
		return
	}
	at := now.Add(wait)
	if d.timer != nil && now.Before(d.timerAt) && !d.timerAt.After(at) {
		return // an earlier wake-up is pending
	}
	if d.timer != nil {
		d.timer.Stop()
	}
	d.timerAt = at
	d.timer = time.AfterFunc(wait, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.schedule()
	})
}
