package aios

import (
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/dispatch"
)

// WithDecisionObserver makes the policy gate tell observe of every system call it decides:
// the call's name, whether it was allowed and how long the policy took (see
// kernel.DecisionObserver). observe must not block; a metrics counter is the intended use.
func WithDecisionObserver(observe kernel.DecisionObserver) Option {
	return func(o *options) { o.observe = observe }
}

// Generations returns a snapshot of the dispatcher's load: the generations waiting for a core
// and those each core serves now.
func (s *System) Generations() dispatch.Stats { return s.router.Stats() }
