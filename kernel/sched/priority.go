package sched

import "time"

// NewPriority returns a queue that runs the job of highest priority first; among equals, the
// earliest. A waiting job gains one priority level for every aging it waits, so a job of
// priority p waits behind later arrivals for at most (pmax-p)·aging: no starvation.
// now is the clock (nil: time.Now); aging of zero or less is replaced by DefaultAging.
func NewPriority(aging time.Duration, now func() time.Time) Queue {
	if aging <= 0 {
		aging = DefaultAging
	}
	if now == nil {
		now = time.Now
	}
	base := now()
	// Effective priority at time t is p + (t-enq)/aging. Ordering by its negation, the common
	// t/aging drops out and what is left is fixed at Push.
	return &keyed{now: now, keyOf: func(j *Job) float64 {
		return float64(j.enq.Sub(base))/float64(aging) - float64(j.Priority)
	}}
}
