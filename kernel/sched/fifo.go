package sched

import "time"

// NewFIFO returns a queue that runs jobs in arrival order, each to completion.
func NewFIFO() Queue {
	return &keyed{now: time.Now, keyOf: func(*Job) float64 { return 0 }}
}

// NewRoundRobin returns a queue that runs jobs in arrival order for at most slice each; a
// preempted job is pushed again and so waits behind everyone who arrived meanwhile. A slice of
// zero or less is replaced by DefaultSlice.
func NewRoundRobin(slice time.Duration) Queue {
	if slice <= 0 {
		slice = DefaultSlice
	}
	return &keyed{now: time.Now, slice: slice, keyOf: func(*Job) float64 { return 0 }}
}
