package aios

import (
	"encoding/json"
	"os"
	"strconv"
	"time"
)

// Child is an agent this agent started with Spawn (ABI 1.3). It runs on the host beside its
// parent, on the same models, policy and budgets; it ends when its parent ends, if not before.
type Child struct {
	PID  uint64 // the child's process id, to Send to it and for the run summary
	Name string // the name it runs under: its module's file name without ".wasm"
}

// SpawnOptions describe a child to Spawn. The zero value starts the module with no input,
// under its parent's limits, with all that is left of its parent's budget.
type SpawnOptions struct {
	Input []byte
	Args  []string
	Env   []string // KEY=VALUE
	// Limits lower the child's limits below its parent's; zero fields keep the parent's. A
	// limit above the parent's is lowered to it.
	Limits ChildLimits
	// Budget is set aside from the parent's own budget for the child while it runs; the
	// parent is then charged what the child actually spent. A zero part takes all the parent
	// has left of it (or is unlimited when the parent's is). The child cannot spend more:
	// past it, its generations fail with ErrQuota.
	Budget Budget
}

// ChildLimits are the limits a parent may lower for a child.
type ChildLimits struct {
	Memory   int64 // bytes of linear memory
	CPUTime  time.Duration
	WallTime time.Duration
	Output   int64 // bytes of run output
	Log      int64 // bytes of log
}

// Budget is a token and money budget. Cost is in the currency of the host's prices (dollars).
type Budget struct {
	Tokens int64
	Cost   float64
}

// ChildResult is how a child ended (Child.Wait).
type ChildResult struct {
	PID    uint64 `json:"pid"`
	Name   string `json:"name"`
	Module string `json:"module"`
	// Status is "exited" (it returned or called os.Exit), "failed" (the host ended it: a trap
	// or a limit, which Error names), "killed" (Child.Kill) or "canceled".
	Status   string `json:"status"`
	ExitCode int    `json:"exit_code"`
	Error    string `json:"error"`
	// Output is the start of the child's output (at most 64 KiB); OutputBytes is its size.
	Output      []byte     `json:"output"`
	OutputBytes int        `json:"output_bytes"`
	Usage       ChildUsage `json:"usage"`
}

// ChildUsage is what a child consumed.
type ChildUsage struct {
	Calls        int     `json:"calls"`
	Generations  int     `json:"generations"`
	InputTokens  int     `json:"input_tokens"`
	OutputTokens int     `json:"output_tokens"`
	Cost         float64 `json:"cost"`
}

type (
	spawnRequest struct {
		Module string       `json:"module"`
		Input  []byte       `json:"input,omitempty"`
		Args   []string     `json:"args,omitempty"`
		Env    []string     `json:"env,omitempty"`
		Limits spawnLimits  `json:"limits"`
		Budget *spawnBudget `json:"budget,omitempty"`
	}
	spawnLimits struct {
		Memory     int64 `json:"memory,omitempty"`
		CPUTimeMS  int64 `json:"cpu_time_ms,omitempty"`
		WallTimeMS int64 `json:"wall_time_ms,omitempty"`
		Output     int64 `json:"output,omitempty"`
		Log        int64 `json:"log,omitempty"`
	}
	spawnBudget struct {
		Tokens int64   `json:"tokens"`
		Cost   float64 `json:"cost"`
	}
	agentRef struct {
		PID       uint64 `json:"pid"`
		TimeoutMS *int64 `json:"timeout_ms,omitempty"`
	}
)

// Spawn starts module, a path relative to the agents directory the operator configured
// ([agents] dir), as a child of this agent, and returns at once. Policy decides: the agent's
// manifest declares calls = ["agent_spawn"] and the operator grants it, or the error matches
// ErrPermission. Past the host's limits on children, depth or agents per run it matches
// ErrLimit; a budget larger than what is left of this agent's matches ErrQuota; an unknown
// module ErrNotFound.
func Spawn(module string, o SpawnOptions) (*Child, error) {
	req := spawnRequest{Module: module, Input: o.Input, Args: o.Args, Env: o.Env, Limits: spawnLimits{
		Memory: o.Limits.Memory, CPUTimeMS: o.Limits.CPUTime.Milliseconds(), WallTimeMS: o.Limits.WallTime.Milliseconds(),
		Output: o.Limits.Output, Log: o.Limits.Log,
	}}
	if o.Budget != (Budget{}) {
		req.Budget = &spawnBudget{Tokens: o.Budget.Tokens, Cost: o.Budget.Cost}
	}
	return agentRequest[*Child]{name: "agent_spawn", body: req, decode: func(b []byte) (*Child, error) {
		var c Child
		err := json.Unmarshal(b, &c)
		return &c, err
	}}.run(std)
}

// Wait blocks until the child has ended and returns how. It may be called again, with the
// same result.
func (c *Child) Wait() (ChildResult, error) { return c.WaitFor(-1) }

// WaitFor is Wait for at most timeout (negative: no deadline). A child still running then
// gives an error matching ErrTimeout; a zero timeout only checks, and matches ErrAgain.
func (c *Child) WaitFor(timeout time.Duration) (ChildResult, error) {
	return c.waitRequest(timeout).run(std)
}

// StartWait starts Wait asynchronously, so an agent can wait for several children (and other
// calls) at once with WaitAny.
func (c *Child) StartWait() (*Pending[ChildResult], error) {
	return c.waitRequest(-1).start(std)
}

func (c *Child) waitRequest(timeout time.Duration) agentRequest[ChildResult] {
	return agentRequest[ChildResult]{name: "agent_wait", body: agentRef{PID: c.PID, TimeoutMS: millis(timeout)},
		decode: whole[ChildResult]("agent_wait")}
}

// Kill ends the child, and with it its own children. Killing a child that has ended does
// nothing; Wait then still reports how it ended.
func (c *Child) Kill() error {
	_, err := agentRequest[struct{}]{name: "agent_kill", body: agentRef{PID: c.PID}, decode: whole[struct{}]("agent_kill")}.run(std)
	return err
}

// Parent returns the process id of the agent that started this one, to Send to it, or 0 for
// a run's first agent. The host passes it in the environment as AIOS_PARENT.
func Parent() uint64 {
	pid, _ := strconv.ParseUint(os.Getenv("AIOS_PARENT"), 10, 64)
	return pid
}

// millis converts a timeout for the ABI: nil (no deadline) when negative.
func millis(d time.Duration) *int64 {
	if d < 0 {
		return nil
	}
	ms := d.Milliseconds()
	if ms == 0 && d > 0 {
		ms = 1
	}
	return &ms
}
