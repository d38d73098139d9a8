package aios

import (
	"context"
	"errors"
	"time"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/runtime"
)

// Agent is a compiled agent module; it can run many times, concurrently.
type Agent struct {
	sys    *System
	name   string
	module runtime.Module
	budget quota.Limit // each run's own, from the bundle's manifest; zero: none
	digest string      // the module's "sha256:" digest, which durable runs record
	// plain is the module as given when module is its pre-initialised form ([preinit] auto):
	// durable runs start from it (system_preinit.go).
	plain *plainModule
}

// RunOptions describe one run of an agent.
type RunOptions struct {
	// Tenant is whose the run is: fair share by tenant and tenant budgets count it there.
	Tenant string
	// Priority orders the run's generations under the priority scheduler; higher first.
	Priority int
	Input    []byte
	Args     []string
	Env      []string
	Limits   limits.Limits // zero fields take the system's configured limits, then the defaults
	// Events receives the agent's log lines and streamed tokens live. May be nil.
	Events func(kernel.Event)
	// Identity is who the agent is for policy: name, version, digest, publisher key and the
	// capabilities its manifest declares. An empty Name is the agent's load name, an empty
	// Tenant the run's Tenant.
	Identity policy.Agent
	// Confirm asks an operator when policy requires confirmation; nil denies such calls unless
	// they are pre-approved.
	Confirm kernel.Confirmer
	// Approve pre-approves calls that policy requires confirmation for ("llm_generate" or
	// "agent:llm_generate").
	Approve []string
	// RunID names the run in its trace (the server's run id); empty for runs that have none.
	RunID string
	// Seed makes the agent's random_get deterministic; zero draws one (see kernel.Spec.Seed).
	Seed uint64
	// Journal, when not nil, journals the run's journaled system calls or replays them
	// (hostcalls.Journal; RunDurable and Replay set it). Nil costs nothing.
	Journal hostcalls.Journal

	// spent is what a resumed durable run spent before, in the calls its journal answers:
	// charged to the run's own budget, not again to its agent's and tenant's.
	spent quota.Amount
	// abi is a replayed or resumed run's recorded ABI version ("1.3"): the agent negotiates
	// as it did under it (hostcalls.Guest.LimitABI). Empty: this host's.
	abi string
}

// Result is how a run ended.
type Result struct {
	PID      kernel.PID
	Name     string
	ExitCode int // the agent's exit code: 0 when _start returned, else what it passed to proc_exit
	Output   []byte
	Usage    kernel.Usage
	Duration time.Duration
	// Err is why the agent was ended by the host, if it was: a *limits.ExceededError, or a
	// trap (e.g. unreachable, out-of-bounds access). Nil when the agent ended by itself.
	Err error
	// MemoryLimitReached means the agent's memory reached the memory limit: a memory.grow
	// past it returned -1 to the agent, which may have gone on (see runtime.RunReport).
	MemoryLimitReached bool
	// Children are the agents it started (agent_spawn), in order, each with its own.
	Children []kernel.ChildInfo
}

// Run runs the agent once to completion. The error is for failures to start it at all (a
// policy that denies the start is a *kernel.DeniedError); how the agent itself ended is in the
// Result.
func (a *Agent) Run(ctx context.Context, o RunOptions) (res *Result, err error) {
	lim := o.Limits.Or(a.sys.cfg.Limits).Or(limits.Defaults())
	module, err := a.moduleFor(ctx, o)
	if err != nil {
		return nil, err
	}
	run := a.sys.trace.startRun(ctx, a.name, o)
	defer func() { endRun(run, res, err) }()
	proc, err := a.sys.kernel.Spawn(kernel.Spec{
		Name:     a.name,
		Tenant:   o.Tenant,
		Priority: o.Priority,
		Input:    o.Input,
		Args:     o.Args,
		Env:      o.Env,
		Limits:   kernel.Limits{Log: lim.Log, Output: lim.Output},
		Events:   o.Events,
		Agent:    o.Identity,
		Confirm:  o.Confirm,
		Approve:  o.Approve,
		Budget:   a.budget,
		Trace:    callTracer(run),
		Seed:     o.Seed,
	})
	if err != nil {
		return nil, err
	}
	if err := a.chargeSpent(proc, o.spent); err != nil {
		proc.End(-1, err)
		a.sys.kernel.Reap(proc.PID())
		return nil, err
	}
	start := time.Now()
	defer a.sys.agents.track(proc, lim, o.Journal)() // and a durable run's children journaled
	g := hostcalls.NewGuest(proc, lim)
	if minor, err := recordedMinor(o.abi); o.abi != "" && err == nil {
		g.LimitABI(minor)
	}
	g.SetJournal(o.Journal)
	report, runErr := module.Run(ctx, g, lim)
	g.Close()

	res = &Result{PID: proc.PID(), Name: a.name, Duration: time.Since(start),
		MemoryLimitReached: report.MemoryLimitReached}
	var exit *hostcalls.ExitError
	switch {
	case runErr == nil:
	case errors.As(runErr, &exit):
		res.ExitCode = int(exit.Code)
	default:
		res.ExitCode = -1
		res.Err = runErr
	}
	proc.End(res.ExitCode, res.Err) // ends its children first
	res.Children = proc.Children()
	res.Output = proc.OutputBytes()
	if info, ok := a.sys.kernel.Reap(proc.PID()); ok {
		res.Usage = info.Usage
	}
	return res, nil
}

// Close releases the compiled module.
func (a *Agent) Close(ctx context.Context) error {
	return errors.Join(a.module.Close(ctx), a.plain.close(ctx))
}
