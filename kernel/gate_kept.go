package kernel

import (
	"context"

	"github.com/aiosys/aios/policy"
)

// stableDecider is a Decider that says when its decisions depend on an input's agent, call
// and arguments alone, so that they may be kept between calls; *policy.Engine is one.
type stableDecider interface {
	Epoch() (policy.Epoch, bool)
	Reuse(policy.Epoch) bool
}

// keptGeneration is the decision of a process's last generation, kept while the policy in
// force decides on an input's agent, call and arguments alone (policy.Engine.Epoch). An agent's
// generations repeat one model and max_tokens, so reusing the decision spares each of them
// building and encoding the input document and the decision cache's lookup: about a third of
// the kernel's own time on a generation (docs/BENCHMARKS.md, "Kernel overhead").
type keptGeneration struct {
	epoch policy.Epoch
	args  generationArgsKey
	d     policy.Decision
}

// keptDecision returns the decision kept for a generation with arguments gen, if there is one
// and it still stands. It is a decision like any other, from the cache.
func (p *Process) keptDecision(gen *generationArgsKey) (policy.Decision, bool) {
	s := p.k.gate.stable
	if gen == nil || s == nil {
		return policy.Decision{}, false
	}
	k := p.kept.Load()
	if k == nil || k.args != *gen || !s.Reuse(k.epoch) {
		return policy.Decision{}, false
	}
	d := k.d.Clone()
	d.Cached, d.Elapsed = true, 0
	return d, true
}

// decide asks the policy about in and, for a generation with arguments gen under a policy
// whose decisions may be kept, keeps the decision for the process's next generation.
func (p *Process) decide(ctx context.Context, in policy.Input, gen *generationArgsKey) (policy.Decision, error) {
	g := p.k.gate
	var (
		epoch  policy.Epoch
		stable bool
	)
	if gen != nil && g.stable != nil {
		epoch, stable = g.stable.Epoch() // before deciding: a reload in between voids the decision kept
	}
	d, err := g.cfg.Policy.Decide(ctx, in)
	if stable && err == nil {
		p.kept.Store(&keptGeneration{epoch: epoch, args: *gen, d: d.Clone()})
	}
	return d, err
}
