package dispatch

import (
	"errors"
	"slices"
	"time"

	"github.com/aiosys/aios/kernel/sched"
)

// errPreempted is what attempt returns for a piece stopped at its slice end.
var errPreempted = errors.New("preempted at its slice end")

// startSlice starts the slice of s's piece at its first chunk.
func (d *Dispatcher) startSlice(s *slot) {
	d.mu.Lock()
	defer d.mu.Unlock()
	slice := d.q.Slice()
	if slice <= 0 || s.released {
		return
	}
	now := d.opts.Now()
	s.sliceEnd = now.Add(slice)
	d.wakeIn(now, slice)
}

// expired reports whether s is a running piece whose slice has ended. Called with d.mu held.
func (s *slot) expired(now time.Time) bool {
	return !s.released && !s.sliceEnd.IsZero() && !now.Before(s.sliceEnd)
}

// anyExpired reports whether some running piece's slice has ended. Called with d.mu held.
func (d *Dispatcher) anyExpired(now time.Time) bool {
	for s := range d.running {
		if s.expired(now) {
			return true
		}
	}
	return false
}

// preemptFor stops the running piece that waiting job j may displace, if there is one, freeing
// its core place, and reports whether it did. Called with d.mu held.
func (d *Dispatcher) preemptFor(j *sched.Job, now time.Time) bool {
	w := j.Value.(*waiter)
	var victim *slot
	for s := range d.running {
		if !s.expired(now) || !slices.Contains(w.route.cores, s.c) {
			continue
		}
		if wait, full := s.c.readyIn(now, w.tokens); wait > 0 || !full {
			continue
		}
		if !d.q.Yields(s.job, j) {
			continue
		}
		if victim == nil || preferVictim(s, victim) {
			victim = s
		}
	}
	if victim == nil {
		return false
	}
	delete(d.running, victim)
	victim.free()
	victim.stop(errPreempted)
	d.overhead.preemptions.Add(1)
	return true
}

// preferVictim reports whether a is to be preempted before b.
func preferVictim(a, b *slot) bool {
	if a.job.Priority != b.job.Priority {
		return a.job.Priority < b.job.Priority
	}
	return a.sliceEnd.Before(b.sliceEnd)
}

// nextSliceEnd returns how long until schedule should look again at running slices for the
// jobs still waiting: until the next slice ends, or, if one has ended without being preempted
// (the policy would not yield yet, e.g. to a lower priority that is still aging), one slice
// from now. Zero means no need. Called with d.mu held.
func (d *Dispatcher) nextSliceEnd(now time.Time) time.Duration {
	if d.q.Len() == 0 {
		return 0
	}
	var next time.Duration
	for s := range d.running {
		if s.released || s.sliceEnd.IsZero() {
			continue
		}
		left := s.sliceEnd.Sub(now)
		if left <= 0 {
			left = d.q.Slice()
		}
		if next == 0 || left < next {
			next = left
		}
	}
	return next
}
