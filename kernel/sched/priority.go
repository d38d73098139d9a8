package sched

import "time"

// NewPriority returns a queue that runs the job of highest priority first; among equals, the
// earliest. A waiting job gains one priority level for every aging it waits, so a job of
// priority p waits behind later arrivals for at most (pmax-p)·aging: no starvation.
// now is the clock (nil: time.Now); aging of zero or less is replaced by DefaultAging.
// Jobs run to completion; New with Options.Slice gives the preemptive variant.
func NewPriority(aging time.Duration, now func() time.Time) Queue {
	return newPriority(aging, 0, now)
}

// newPriority is NewPriority whose running jobs may be preempted after slice (zero: never) by
// a waiting job of higher effective priority. A waiting job of equal priority has aged past the
// running one, so among equals slices go round.
func newPriority(aging, slice time.Duration, now func() time.Time) Queue {
	if aging <= 0 {
		aging = DefaultAging
	}
	if now == nil {
		now = time.Now
	}
	base := now()
	// Effective priority at time t is p + (t-enq)/aging. Ordering by its negation, the common
	// t/aging drops out and what is left is fixed at Push.
	return &keyed{now: now, slice: max(slice, 0), keyOf: func(j *Job) float64 {
		return float64(j.enq.Sub(base))/float64(aging) - float64(j.Priority)
	}}
}
