package sched

import "time"

// NewSJF returns a shortest-job-first queue: the job with the smallest estimated tokens runs
// first. To keep a long job from starving behind a stream of short ones, its estimate counts
// agingTokens less for every aging it waits. now is the clock (nil: time.Now); aging and
// agingTokens of zero or less are replaced by DefaultAging and DefaultAgingTokens.
func NewSJF(aging time.Duration, agingTokens int, now func() time.Time) Queue {
	if aging <= 0 {
		aging = DefaultAging
	}
	if agingTokens <= 0 {
		agingTokens = DefaultAgingTokens
	}
	if now == nil {
		now = time.Now
	}
	base := now()
	perAging := float64(agingTokens)
	// Effective size at time t is est - (t-enq)/aging·perAging; the common t term drops out.
	return &keyed{now: now, keyOf: func(j *Job) float64 {
		return j.estimate() + float64(j.enq.Sub(base))/float64(aging)*perAging
	}}
}
