package dispatch

import (
	"errors"
	"time"
)

// errAttemptTimeout is the cause of a piece stopped by the attempt timeout.
var errAttemptTimeout = errors.New("attempt timed out")

// The attempt timeout (Options.AttemptTimeout) is kept by one watchdog timer per dispatcher
// rather than a timer per attempt: each running piece has a deadline, and the watchdog is armed
// for the earliest one it knows of. With one timeout for all, a new piece's deadline is never
// before those already running, so starting a piece costs a comparison, not a timer. When the
// watchdog fires it stops every piece past its deadline and arms itself for the next; a piece
// that ended since it was armed only makes it look early. It may stay armed for up to the
// timeout after the last piece ends.

// watch makes sure the watchdog looks at the running pieces by at; now is the present.
// Called with d.mu held.
func (d *Dispatcher) watch(at, now time.Time) {
	if !d.watchAt.IsZero() && !d.watchAt.After(at) {
		return // armed for an earlier deadline
	}
	d.watchAt = at
	if d.watchdog == nil {
		d.watchdog = time.AfterFunc(at.Sub(now), d.timeOut)
		return
	}
	d.watchdog.Reset(at.Sub(now))
}

// timeOut stops the pieces whose attempt deadline has passed, freeing their places, and arms
// the watchdog for the earliest deadline still ahead.
func (d *Dispatcher) timeOut() {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.opts.Now()
	d.watchAt = time.Time{}
	var next time.Time
	freed := false
	for s := range d.running {
		if s.deadline.IsZero() || s.released {
			continue
		}
		if !now.Before(s.deadline) {
			s.stop(errAttemptTimeout)
			freed = s.free() || freed
			continue
		}
		if next.IsZero() || s.deadline.Before(next) {
			next = s.deadline
		}
	}
	if !next.IsZero() {
		d.watch(next, now)
	}
	if freed {
		d.scheduleAt(now)
	}
}
