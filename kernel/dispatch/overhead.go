package dispatch

import "sync/atomic"

// Overhead is what preemption and resumption have cost, since the dispatcher started, beyond
// the usage charged to agents (see Generate).
type Overhead struct {
	Preemptions int64 // pieces stopped at their slice end to give the core to a waiting job
	Resumes     int64 // continuation requests sent, after a preemption or a broken stream
	// Tokens is the input read again for resumption: the prompt and partial text each
	// unfinished piece read (estimated: a stopped backend request reports no usage) and the
	// partial text the last piece read (counted as output for the agent instead).
	Tokens int64
}

// overheadCounters accumulates Overhead without the dispatcher's mutex.
type overheadCounters struct {
	preemptions, resumes, tokens atomic.Int64
}

// Overhead returns what preemption and resumption have cost so far.
func (d *Dispatcher) Overhead() Overhead {
	return Overhead{
		Preemptions: d.overhead.preemptions.Load(),
		Resumes:     d.overhead.resumes.Load(),
		Tokens:      d.overhead.tokens.Load(),
	}
}
