package kernel

import (
	"context"
	"maps"

	"github.com/aiosys/aios/policy"
)

// Confirmation is a call that policy lets run only if an operator confirms it.
type Confirmation struct {
	PID   PID
	Agent policy.Agent
	Call  string
	Args  map[string]any // the call's normalized arguments, as policy saw them
}

// Confirmer asks an operator whether a call may run and waits for the answer. It returns true
// to allow the call; false or an error denies it. It must honour ctx.
type Confirmer func(ctx context.Context, c Confirmation) (bool, error)

// Reasons given when the confirmation obligation decides a call.
const (
	reasonNoConfirmer = "the call requires an operator's confirmation and there is no terminal to ask; pre-approve it with `aios run --approve CALL` or [policy] approve"
	reasonDeclined    = "the operator declined the call"
	reasonPreApproved = " (confirmation pre-approved)"
	reasonConfirmed   = " (confirmed by the operator)"
)

// confirm enforces d's confirmation obligation: a pre-approved call proceeds, otherwise the
// process's Confirmer is asked while the process is blocked; without one the call is denied.
func (p *Process) confirm(ctx context.Context, in policy.Input, d policy.Decision) policy.Decision {
	switch {
	case p.k.gate.approved(in.Agent.Name, in.Call, p.spec.Approve):
		d.Reason += reasonPreApproved
		return d
	case p.spec.Confirm == nil:
		d.Allow, d.Reason = false, reasonNoConfirmer
		return d
	}
	p.block()
	// A copy of the arguments: the confirmer is the embedder's, and a generation's arguments
	// are shared with other calls (see generationArgs).
	ok, err := p.spec.Confirm(ctx, Confirmation{PID: p.pid, Agent: in.Agent, Call: in.Call, Args: maps.Clone(in.Args)})
	p.unblock()
	switch {
	case err != nil:
		d.Allow, d.Reason = false, "the call requires an operator's confirmation, which failed: "+err.Error()
	case !ok:
		d.Allow, d.Reason = false, reasonDeclined
	default:
		d.Reason += reasonConfirmed
	}
	return d
}
