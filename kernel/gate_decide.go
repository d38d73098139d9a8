package kernel

import (
	"context"
	"fmt"

	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/policy/audit"
)

// Authorize decides one system call of the process by policy before it runs: call is its name
// as docs/POLICY.md spells it ("llm_generate") and args its normalized arguments (never its
// payload). It returns the decision, whose obligations the caller enforces, or a *DeniedError
// carrying the reason. Every decision is recorded in the audit log, and a denial is also shown
// in the process's live log. When the gate itself fails (the policy cannot be evaluated, the
// audit log cannot record), the *DeniedError says only that and an incident id, for the agent;
// the audit record and the live log, the operator's, carry the id with the detail.
//
// A kernel without a gate allows everything. System-call methods of Process call Authorize
// themselves; managers added later (tools, memory) call it with their own arguments.
func (p *Process) Authorize(ctx context.Context, call string, args map[string]any) (policy.Decision, error) {
	return p.authorize(ctx, call, args, nil, false)
}

// authorize is Authorize; gen, for a generation, is its arguments' key (see keptGeneration),
// and mustConfirm adds the confirmation obligation to an allowed call whatever the policy says
// (a destructive tool).
func (p *Process) authorize(ctx context.Context, call string, args map[string]any, gen *generationArgsKey, mustConfirm bool) (policy.Decision, error) {
	g := p.k.gate
	if g == nil {
		return policy.Decision{Allow: true, Reason: "no policy gate"}, nil
	}
	in := policy.Input{Call: call, Args: args}
	d, kept := p.keptDecision(gen)
	var err error
	if !kept {
		p.fillInput(&in)
		d, err = p.decide(ctx, in, gen)
	} else if g.cfg.Audit != nil || g.rates.limits(call) || mustConfirm || d.Obligations.Confirm {
		p.fillInput(&in) // what follows reads the input; a policy whose decision was kept reads no tenant usage
	}
	elapsed := d.Elapsed
	if err != nil && ctx.Err() != nil {
		// The caller gave up (the run was cancelled) during the evaluation: the call is
		// cancelled, not denied, and no incident.
		return d, fmt.Errorf("%s: %w", call, ctx.Err())
	}
	var inc *incident // a failure of the gate: the agent is told less than the operator
	if err != nil {
		inc = newIncident("the policy could not be evaluated", err)
		d.Allow, d.Reason = false, inc.detail
	}
	if d.Allow && g.rates.limits(call) {
		if why := g.rates.admit(in.Agent, call, g.now()); why != "" {
			d.Allow, d.Reason = false, why
		}
	}
	if d.Allow && mustConfirm {
		d.Obligations.Confirm = true
	}
	if d.Allow && d.Obligations.Confirm {
		d = p.confirm(ctx, in, d)
	}
	if g.cfg.Audit != nil {
		if rerr := g.cfg.Audit.Record(ctx, audit.FromDecision(g.now(), in, d)); rerr != nil && d.Allow {
			if cerr := ctx.Err(); cerr != nil {
				// The caller gave up (the run was cancelled) while the decision was being
				// recorded: the call is cancelled, not denied, and no incident.
				return d, fmt.Errorf("%s: %w", call, cerr)
			}
			inc = newIncident("the decision could not be recorded in the audit log", rerr)
			d.Allow, d.Reason = false, inc.detail
		}
	}
	g.observe(call, d.Allow, elapsed)
	if d.Allow {
		return d, nil
	}
	p.mu.Lock()
	p.usage.Calls++ // a denied call is still a system call the agent made
	p.usage.Denied++
	p.mu.Unlock()
	p.emit(Event{Kind: EventLog, Level: 2, Text: fmt.Sprintf("policy denied %s: %s", call, audit.Truncate(d.Reason, maxShownReason))})
	return d, &DeniedError{Call: call, Reason: guestReason(d.Reason, inc)}
}

// permits reports whether policy would allow call with args, without recording, rate
// limiting or asking for confirmation: a question about the process (which tools it may use),
// not a call it makes.
func (p *Process) permits(ctx context.Context, call string, args map[string]any) bool {
	g := p.k.gate
	if g == nil {
		return true
	}
	d, err := g.cfg.Policy.Decide(ctx, policy.Input{Agent: p.agent(), Call: call, Args: args, Usage: p.policyUsage()})
	return err == nil && d.Allow
}

// maxShownReason bounds the reason a denial shows in the live log: a reason can quote a
// guest's argument of any size. The agent still gets the whole reason (last_error).
const maxShownReason = 1024

// UnpackagedCapabilities are what an agent without a manifest declares: any model, class and
// tool at any host, so that only the operator's grants bound it. A Spec whose Agent has no
// version, digest, publisher or capabilities is such an agent.
func UnpackagedCapabilities() policy.Capabilities {
	return policy.Capabilities{Models: []string{"*"}, Classes: []string{"*"}, Tools: []string{"*"}, Hosts: []string{"*"}}
}

// unpackaged is UnpackagedCapabilities made once, for the input document of every call of an
// agent without a manifest; it is only read.
var unpackaged = UnpackagedCapabilities()

// fillInput completes an input document with the process's identity and usage, and its
// tenant's usage when the policy reads it.
func (p *Process) fillInput(in *policy.Input) {
	in.Agent, in.Usage = p.agent(), p.policyUsage()
	if p.k.gate.readsTenantUsage() {
		in.TenantUsage = p.k.tenants.usage(p, in.Usage)
	}
}

// agent is the process's identity as policy sees it: the spec's Agent, named and tenanted by
// the spec when it leaves those empty, with UnpackagedCapabilities when it names no package.
func (p *Process) agent() policy.Agent {
	a := p.spec.Agent
	c := a.Capabilities
	if a.Version == "" && a.Digest == "" && a.Publisher == "" && len(c.Calls)+len(c.Models)+len(c.Classes)+len(c.Tools)+len(c.Hosts)+len(c.Memory) == 0 {
		a.Capabilities = unpackaged
	}
	if a.Name == "" {
		a.Name = p.spec.Name
	}
	if a.Tenant == "" {
		a.Tenant = p.spec.Tenant
	}
	return a
}

// policyUsage is the process's usage so far, as the input document counts it.
func (p *Process) policyUsage() policy.Usage {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.usage
	return policy.Usage{
		Calls: int64(u.Calls), Generations: int64(u.Generations), ToolCalls: int64(u.ToolCalls), InputTokens: int64(u.InputTokens),
		OutputTokens: int64(u.OutputTokens), CostMicroUSD: int64(u.Cost), // a quota.Cost is in millionths already
	}
}
