package workflow

import "time"

// State is where a step stands.
type State string

// The states of a step. A step ends in one of Succeeded, Failed, Recovered, Skipped, Declined
// or Cancelled.
const (
	Pending    State = "pending"    // waiting for the steps it needs
	Confirming State = "confirming" // waiting for the operator's answer
	Running    State = "running"    // an attempt is running
	Retrying   State = "retrying"   // an attempt failed; the next starts after a backoff
	Succeeded  State = "succeeded"  // an attempt ended well (exit 0)
	Failed     State = "failed"     // every attempt failed, and the fallback (if any) too
	Recovered  State = "recovered"  // every attempt failed, and its fallback succeeded
	Skipped    State = "skipped"    // its condition was false, a step it needs did not end well, or it is a fallback not needed
	Declined   State = "declined"   // the operator did not confirm it
	Cancelled  State = "cancelled"  // the workflow was interrupted before it ended
)

// Ended reports whether s is a final state.
func (s State) Ended() bool {
	switch s {
	case Succeeded, Failed, Recovered, Skipped, Declined, Cancelled:
		return true
	}
	return false
}

// ok reports whether dependents of a step in state s may run.
func (s State) ok() bool { return s == Succeeded || s == Recovered }

// ran reports whether a step in state s ran, so that its exit code means something.
func (s State) ran() bool { return s == Succeeded || s == Failed || s == Recovered }

// Outcome is how one attempt of a step ended, as the Runner reports it.
type Outcome struct {
	// Code is the exit code: the agent's own, or one the runner chose for a host-side ending.
	Code int
	// Output is the agent's output.
	Output []byte
	// Err is why the host ended the attempt (a limit, a trap, a start refused), or nil when the
	// agent ended by itself.
	Err error
	// Detail is the runner's own record of the attempt (the CLI's is an *aios.Result).
	Detail any
}

// OK reports whether the attempt ended well: exit 0 and not stopped by the host.
func (o Outcome) OK() bool { return o.Err == nil && o.Code == 0 }

// Event is a change of a step's state, reported as it happens.
type Event struct {
	Step  string
	State State
	// Attempt is the attempt number (from 1) for Running and Retrying, and the last attempt's
	// once the step has ended; Attempts is how many it may have.
	Attempt, Attempts int
	// Duration is how long the attempt (Retrying) or the whole step (an ended state) took.
	Duration time.Duration
	// Wait is the backoff before the next attempt (Retrying).
	Wait time.Duration
	// Outcome is the last attempt's, when one ran.
	Outcome *Outcome
	// Reason says why a step was skipped, declined, cancelled or recovered, or failed.
	Reason string
}

// StepResult is how a step ended.
type StepResult struct {
	ID       string
	State    State
	Attempts int // attempts run
	// Outcome is the last attempt's; the zero Outcome when none ran.
	Outcome  Outcome
	Duration time.Duration
	Reason   string
	// Output is what dependents received: the step's own output, or its fallback's.
	Output []byte
}

// Report is how a workflow run ended: every step's result, in file order.
type Report struct {
	Steps []StepResult
}

// OK reports whether every step that ran ended well: each is Succeeded, Recovered or Skipped,
// and a skipped step was skipped by its condition or as an unneeded fallback, not because a
// step it needs failed (that step is then the failure).
func (r *Report) OK() bool {
	for _, s := range r.Steps {
		switch s.State {
		case Failed, Declined, Cancelled:
			return false
		}
	}
	return true
}
