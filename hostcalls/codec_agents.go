package hostcalls

import (
	"fmt"
	"math"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/limits"
)

// The request and result bodies of ABI 1.3's agent calls (docs/ABI.md 5.6).

type agentSpawnRequest struct {
	Module string       `json:"module"`
	Input  []byte       `json:"input"`
	Args   []string     `json:"args"`
	Env    []string     `json:"env"`
	Limits agentLimits  `json:"limits"`
	Budget *agentBudget `json:"budget"`
}

type agentLimits struct {
	Memory     int64 `json:"memory"`
	CPUTimeMS  int64 `json:"cpu_time_ms"`
	WallTimeMS int64 `json:"wall_time_ms"`
	Output     int64 `json:"output"`
	Log        int64 `json:"log"`
}

type agentBudget struct {
	Tokens int64   `json:"tokens"`
	Cost   float64 `json:"cost"`
}

type agentRef struct {
	PID       int64  `json:"pid"`
	TimeoutMS *int64 `json:"timeout_ms"` // agent_wait
}

type msgSendRequest struct {
	To   int64  `json:"to"`
	Body []byte `json:"body"`
}

type msgRecvRequest struct {
	TimeoutMS *int64 `json:"timeout_ms"`
}

type agentStarted struct {
	PID  uint64 `json:"pid"`
	Name string `json:"name"`
}

type agentUsage struct {
	Calls        int     `json:"calls"`
	Generations  int     `json:"generations"`
	InputTokens  int     `json:"input_tokens"`
	OutputTokens int     `json:"output_tokens"`
	Cost         float64 `json:"cost"`
}

type agentEnded struct {
	PID         uint64     `json:"pid"`
	Name        string     `json:"name"`
	Module      string     `json:"module"`
	Status      string     `json:"status"`
	ExitCode    int        `json:"exit_code"`
	Error       string     `json:"error"`
	Output      []byte     `json:"output"`
	OutputBytes int        `json:"output_bytes"`
	Usage       agentUsage `json:"usage"`
}

type messageBody struct {
	From uint64 `json:"from"`
	Body []byte `json:"body"`
}

// spawnLimits checks a spawn's limits (0: the parent's) and converts them.
func (l agentLimits) limits() (limits.Limits, error) {
	for name, v := range map[string]int64{"memory": l.Memory, "cpu_time_ms": l.CPUTimeMS, "wall_time_ms": l.WallTimeMS, "output": l.Output, "log": l.Log} {
		if v < 0 {
			return limits.Limits{}, fail(EINVAL, fmt.Sprintf("agent_spawn: limit %s is negative (%d)", name, v))
		}
	}
	return limits.Limits{Memory: uint64(l.Memory), CPUTime: millis(l.CPUTimeMS), WallTime: millis(l.WallTimeMS),
		Output: uint64(l.Output), Log: uint64(l.Log)}, nil
}

// amount checks a spawn's budget (absent or zero parts: see kernel.SpawnRequest).
func (b *agentBudget) amount() (quota.Amount, error) {
	if b == nil {
		return quota.Amount{}, nil
	}
	if b.Tokens < 0 || b.Cost < 0 || math.IsNaN(b.Cost) {
		return quota.Amount{}, fail(EINVAL, fmt.Sprintf("agent_spawn: budget of %d tokens and %v is negative", b.Tokens, b.Cost))
	}
	return quota.Amount{Tokens: b.Tokens, Money: quota.Dollars(b.Cost)}, nil
}

// millis converts milliseconds to a duration, saturating rather than wrapping.
func millis(ms int64) time.Duration {
	if ms > math.MaxInt64/int64(time.Millisecond) {
		return math.MaxInt64
	}
	return time.Duration(ms) * time.Millisecond
}

// timeout converts an optional timeout_ms: absent or negative waits without a deadline.
func timeout(ms *int64) time.Duration {
	if ms == nil || *ms < 0 {
		return -1
	}
	return millis(*ms)
}

// pidOf checks a pid from a guest.
func pidOf(call string, v int64) (kernel.PID, error) {
	if v <= 0 {
		return 0, fail(EINVAL, fmt.Sprintf("%s: pid %d is not a positive integer", call, v))
	}
	return kernel.PID(v), nil
}

func endedOf(in kernel.ChildInfo) agentEnded {
	u := in.Usage
	return agentEnded{PID: uint64(in.PID), Name: in.Name, Module: in.Module, Status: in.Status, ExitCode: in.ExitCode,
		Error: in.Error, Output: nonNilBytes(in.Output), OutputBytes: in.OutputBytes,
		Usage: agentUsage{Calls: u.Calls, Generations: u.Generations, InputTokens: u.InputTokens, OutputTokens: u.OutputTokens,
			Cost: float64(u.Cost) / 1e6}}
}
