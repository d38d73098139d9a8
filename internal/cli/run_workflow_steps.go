package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/workflow"
)

// stepRunner runs workflow steps as agents on one System: every step's agent is loaded,
// verified and compiled once, before any step runs.
type stepRunner struct {
	o       *RunOptions
	agents  map[string]*stepAgent // by step id
	events  func(step string, e kernel.Event)
	intr    *interrupts
	confirm kernel.Confirmer // for calls policy requires confirmation for

	mu    sync.Mutex
	usage map[string]*kernel.Usage // by step id, summed over its attempts
}

// stepAgent is one compiled agent, shared by the steps that name the same file or reference.
type stepAgent struct {
	agent  *aios.Agent
	loaded *loadedAgent
	limits limits.Limits
}

// prepareSteps loads and compiles the agent of every step, each distinct agent once. Errors
// name the step and carry `aios run`'s exit codes (65 refused, 66 missing, 69/77 hub).
func prepareSteps(ctx context.Context, o *RunOptions, wf *workflow.Workflow, sys *aios.System, cfg config.Config, flagLim limits.Limits) (*stepRunner, error) {
	r := &stepRunner{o: o, agents: map[string]*stepAgent{}, usage: map[string]*kernel.Usage{}, confirm: newConfirmer(o.IO)}
	trust, cacheDir := o.Trust.config(cfg)
	byRef := map[string]*stepAgent{}
	for _, s := range wf.Steps {
		ref := s.AgentPath
		if ref == "" {
			ref = s.Agent // a hub reference
		}
		if a := byRef[ref]; a != nil {
			r.agents[s.ID] = a
			continue
		}
		loaded, err := loadAgentWith(ctx, o.IO, ref, trust, cacheDir, &o.Registry)
		if err != nil {
			r.close()
			return nil, stepError(s.ID, o.Trust.hint(err))
		}
		lim, err := agentLimits(o.IO, loaded, flagLim, cfg.Limits)
		if err != nil {
			r.close()
			return nil, stepError(s.ID, err)
		}
		agent, err := sys.Load(ctx, loaded.Name, loaded.Wasm)
		if err != nil {
			r.close()
			if aios.IsRefused(err) {
				return nil, exitWith(ExitRefused, fmt.Errorf("step %s: %s: %w", s.ID, ref, err))
			}
			return nil, exitWith(ExitKernel, fmt.Errorf("step %s: %w", s.ID, err))
		}
		a := &stepAgent{agent: agent, loaded: loaded, limits: lim}
		byRef[ref], r.agents[s.ID] = a, a
	}
	return r, nil
}

// stepError prefixes err with the step it concerns, keeping its exit code.
func stepError(id string, err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return exitWith(ee.code, fmt.Errorf("step %s: %w", id, ee.err))
	}
	return fmt.Errorf("step %s: %w", id, err)
}

// Run runs one attempt of step s. The step's timeout and memory win over the flags, which win
// over the manifest and configuration; its env follows --env; its priority, when set, wins
// over --priority.
func (r *stepRunner) Run(ctx context.Context, s *workflow.Step, input []byte, attempt int) workflow.Outcome {
	a := r.agents[s.ID]
	lim := a.limits
	if s.Timeout > 0 {
		lim.WallTime = s.Timeout
	}
	if s.Memory > 0 {
		lim.Memory = s.Memory
	}
	prio := r.o.Priority
	if s.Priority != 0 {
		prio = s.Priority
	}
	events := func(e kernel.Event) { r.events(s.ID, e) }
	res, err := a.agent.Run(ctx, aios.RunOptions{
		Input: input, Args: s.Args, Env: append(append([]string(nil), r.o.Env...), s.Env...), Limits: lim,
		Events: events, Tenant: r.o.Tenant, Priority: prio,
		Identity: a.loaded.identity(r.o.Tenant), Confirm: r.confirm, Approve: r.o.Approve,
	})
	if err != nil {
		return workflow.Outcome{Code: ExitKernel, Err: err}
	}
	r.intr.account(res)
	r.addUsage(s.ID, res.Usage)
	end := endingOf(res)
	return workflow.Outcome{Code: end.Code, Output: res.Output, Err: end.Reason, Detail: res}
}

func (r *stepRunner) addUsage(id string, u kernel.Usage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sum := r.usage[id]
	if sum == nil {
		sum = &kernel.Usage{}
		r.usage[id] = sum
	}
	sum.Calls += u.Calls
	sum.Generations += u.Generations
	sum.InputTokens += u.InputTokens
	sum.OutputTokens += u.OutputTokens
	sum.Cost += u.Cost
}

// usageOf is the step's usage summed over its attempts.
func (r *stepRunner) usageOf(id string) kernel.Usage {
	r.mu.Lock()
	defer r.mu.Unlock()
	if u := r.usage[id]; u != nil {
		return *u
	}
	return kernel.Usage{}
}

// close releases the compiled agents.
func (r *stepRunner) close() {
	seen := map[*stepAgent]bool{}
	for _, a := range r.agents {
		if !seen[a] {
			seen[a] = true
			_ = a.agent.Close(context.Background())
		}
	}
}
