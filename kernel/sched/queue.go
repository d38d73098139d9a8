// Package sched orders the LLM generations waiting for a core. It holds the scheduling
// policies the kernel offers: FIFO, round-robin with a time slice, priority with aging,
// shortest-job-first on estimated tokens, and weighted fair share by tokens of service.
//
// Every policy is work-conserving (Pop returns a job whenever one is queued) and
// starvation-free (a queued job is bypassed only a bounded number of times).
package sched

import "time"

// Job is one generation waiting for a core. The owner fills the exported fields before Push
// and must not change them while the job is queued.
type Job struct {
	Agent    string // who asked; set by the kernel, never by the request
	Tenant   string // the agent's tenant; may be empty
	Priority int    // higher runs first under the priority policy
	Estimate int    // estimated tokens (input plus most output); at least 1 is assumed
	Value    any    // the owner's payload, untouched by the queue

	seq     uint64    // arrival order within the queue
	enq     time.Time // when pushed
	key     float64   // ordering key, smaller first
	index   int       // position in a heap, -1 when not in one
	flow    *flow     // fair share: the flow the job belongs to
	charged float64   // fair share: virtual service charged at Pop
}

// Queue is a scheduling policy holding waiting jobs.
//
// # Notes
//
// A Queue is not safe for concurrent use: its owner (the dispatcher) serialises calls.
type Queue interface {
	// Push adds a job. A job that ran and was preempted is pushed again as a new arrival.
	Push(j *Job)
	// Pop removes and returns the job to run next, or nil when the queue is empty.
	Pop() *Job
	// Restore puts back a job that the last Pops returned but the owner could not place,
	// in the place it had and without charging it. Restore jobs in the reverse order of
	// their Pops.
	Restore(j *Job)
	// Remove takes a waiting job out (its caller gave up). It reports whether it was queued.
	Remove(j *Job) bool
	// Len returns the number of waiting jobs.
	Len() int
	// Done reports that a popped job received used tokens of service (a whole generation, or
	// one slice of a preempted one). Fair share settles its virtual counter; others ignore it.
	Done(j *Job, used int)
	// Slice returns how long a popped job may run before it is preempted; zero means until
	// it finishes.
	Slice() time.Duration
	// Yields reports whether running, a popped job whose slice has ended, should give its core
	// to waiting, a queued job: whether the policy would run waiting first if running were
	// pushed again now. The owner asks it only of a queue whose Slice is positive.
	Yields(running, waiting *Job) bool
}

func (j *Job) estimate() float64 {
	if j.Estimate < 1 {
		return 1
	}
	return float64(j.Estimate)
}
