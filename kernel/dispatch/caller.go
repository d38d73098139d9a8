package dispatch

import (
	"context"

	"github.com/aiosys/aios/kernel/quota"
)

// Caller is who a generation is for. The kernel sets it from its process table (never from
// the request), and the dispatcher schedules and charges quotas by it.
type Caller struct {
	Agent    string // the agent's name
	Tenant   string // the agent's tenant; empty if none
	Priority int    // higher runs first under the priority scheduler
	PID      uint64 // the kernel's process id, for diagnostics
	// Run is the run's own budget account in the ledger (quota.Run), when the run has a budget
	// of its own; empty: none.
	Run string
}

// payer is whose budgets the caller's generations are charged to.
func (c Caller) payer() quota.Payer { return quota.Payer{Agent: c.Agent, Tenant: c.Tenant, Run: c.Run} }

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller ctx carries. A context without one is scheduled and charged
// as the agent Anonymous.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	if !ok {
		return Caller{Agent: Anonymous}, false
	}
	return c, true
}

// Anonymous is the agent name of a generation whose context carries no Caller.
const Anonymous = "anonymous"
