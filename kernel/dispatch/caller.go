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

// Call is one request's caller together with where the dispatcher reports to, carried in a
// single context value (WithCall): what WithCaller, WithNotices and WithReceipt carry in three,
// for a caller on the hot path that wants one allocation rather than seven.
type Call struct {
	Caller Caller
	// Notices, if not nil, is told each retry and failover as WithNotices says.
	Notices func(Notice)
	// Receipt is filled in with the receipt of a successful request, and Charged set, before
	// Generate or Embed returns (as WithReceipt says).
	Receipt Receipt
	Charged bool
}

type callKey struct{}

// WithCall returns ctx carrying c, which the dispatcher reads and fills in as Call says. It
// takes precedence over WithCaller, WithNotices and WithReceipt.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

func callFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// CallerFrom returns the caller ctx carries (WithCall or WithCaller). A context without one is
// scheduled and charged as the agent Anonymous.
func CallerFrom(ctx context.Context) (Caller, bool) {
	if c := callFrom(ctx); c != nil {
		return c.Caller, true
	}
	c, ok := ctx.Value(callerKey{}).(Caller)
	if !ok {
		return Caller{Agent: Anonymous}, false
	}
	return c, true
}

// Anonymous is the agent name of a generation whose context carries no Caller.
const Anonymous = "anonymous"
