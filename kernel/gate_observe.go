package kernel

import "time"

// DecisionObserver is told of each system call the gate decided: its name, whether it was
// allowed in the end (after rate limits, confirmation and auditing) and how long the policy
// took to decide it (not the wait for a confirmation). A call its caller cancelled while it
// was being decided is neither allowed nor denied and is not observed.
//
// # Notes
//
// It is called on the calling agent's goroutine, so it must not block; a metrics counter is
// the intended use.
type DecisionObserver func(call string, allow bool, elapsed time.Duration)

// observe tells the gate's observer, if any, of a decided call.
func (g *Gate) observe(call string, allow bool, elapsed time.Duration) {
	if g.cfg.Observe != nil {
		g.cfg.Observe(call, allow, elapsed)
	}
}
