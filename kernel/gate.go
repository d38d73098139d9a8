package kernel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/policy/audit"
)

// ErrDenied marks a system call that policy refused; errors.Is(err, ErrDenied) holds for every
// *DeniedError. hostcalls maps it to EPERM.
var ErrDenied = errors.New("denied by policy")

// DeniedError is a system call that policy refused, with the decision's reason.
type DeniedError struct {
	Call   string
	Reason string
}

func (e *DeniedError) Error() string { return "denied by policy: " + e.Reason }

// Is reports ErrDenied as matching.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// Decider decides one system call; *policy.Engine is one. The decision's Elapsed, how long
// deciding took, is what the gate's observer is told (the gate reads no clock of its own).
// Decide must not modify the input's Args, which may be shared with other calls.
type Decider interface {
	Decide(ctx context.Context, in policy.Input) (policy.Decision, error)
}

// Recorder stores decisions; *audit.Log is one. Record must not modify the entry's Args,
// which may be shared with other calls.
type Recorder interface {
	Record(ctx context.Context, e audit.Entry) error
}

// GateConfig says how a Gate decides and records.
type GateConfig struct {
	// Policy decides every call. Required.
	Policy Decider
	// Audit records every decision; nil records nothing. A decision that cannot be recorded
	// denies its call (fail closed).
	Audit Recorder
	// Resolve maps the name a generation asks for (a model, alias or class; "" for the default
	// route) to the model and capability class the policy decides on; see docs/POLICY.md. Nil
	// passes the name through as the model.
	Resolve func(name string) (model, class string)
	// Rates bound how often each agent may make a call, by call name; see Rate.
	Rates map[string]Rate
	// Approve lists calls pre-approved when policy requires confirmation: a call name
	// ("llm_generate") or an agent and a call ("writer:llm_generate").
	Approve []string
	// Observe, when not nil, is told of every decided call (see DecisionObserver).
	Observe DecisionObserver
}

// Gate puts policy in front of every system call of the processes of one kernel: it builds the
// input document, asks the policy, applies the kernel's own rate limits and the confirmation
// obligation, records the decision, and turns a denial into a *DeniedError.
type Gate struct {
	cfg     GateConfig
	rates   *rateLimiter
	now     func() time.Time
	genArgs generationArgsCache
	stable  stableDecider // cfg.Policy, when its decisions may be kept (see keptGeneration)
}

// NewGate returns a gate over cfg.
func NewGate(cfg GateConfig) (*Gate, error) {
	if cfg.Policy == nil {
		return nil, fmt.Errorf("policy gate: no policy")
	}
	for call, r := range cfg.Rates {
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("policy gate: rate of %s: %w", call, err)
		}
	}
	cfg.Approve = slices.Clone(cfg.Approve)
	g := &Gate{cfg: cfg, rates: newRateLimiter(cfg.Rates), now: time.Now}
	g.stable, _ = cfg.Policy.(stableDecider)
	return g, nil
}

// WithGate makes the kernel decide every system call through g; see Process.Authorize.
func WithGate(g *Gate) Option { return func(k *Kernel) { k.gate = g } }

// approved reports whether call is pre-approved for agent, by the gate or by the process.
func (g *Gate) approved(agent, call string, more []string) bool {
	for _, a := range slices.Concat(g.cfg.Approve, more) {
		if a == call || a == agent+":"+call {
			return true
		}
	}
	return false
}
