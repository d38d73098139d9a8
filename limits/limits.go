// Package limits holds the per-agent resource limits that the runtime, hostcalls and kernel
// each enforce a part of. It is a leaf: it imports nothing of aios.
package limits

import "time"

// Limits bounds one agent. The zero value of a field means "use the default"; see Defaults.
type Limits struct {
	// Memory is the most linear memory the agent may have, in bytes (rounded down to 64 KiB pages).
	Memory uint64 `toml:"memory"`
	// CPUTime is the most active time the agent may have: wall time minus the time it spent
	// blocked in system calls. It is not processor time (time the host's scheduler takes the
	// agent's thread away still counts); the name and the key "cpu_time" are kept for
	// compatibility.
	CPUTime time.Duration `toml:"cpu_time"`
	// WallTime is the longest the agent may run, blocked or not.
	WallTime time.Duration `toml:"wall_time"`
	// Stack is the most stack the engine gives the agent's code, in bytes. Wasmtime honours it;
	// wazero has no such setting and keeps its own fixed bound (docs/ABI.md section 1.2).
	Stack uint64 `toml:"stack"`
	// Log is the most bytes of log (including stdout and stderr) kept for the agent.
	Log uint64 `toml:"log"`
	// Output is the most bytes of run output the agent may produce.
	Output uint64 `toml:"output"`
	// Request is the largest request body the agent may pass to one system call.
	Request uint64 `toml:"request"`
	// Response is the largest result the host keeps for the agent.
	Response uint64 `toml:"response"`
	// InFlight is the most asynchronous calls the agent may have running at once.
	InFlight int `toml:"in_flight"`
}

// Defaults returns the limits used where nothing else is configured.
func Defaults() Limits {
	return Limits{
		Memory:   256 << 20,
		CPUTime:  60 * time.Second,
		WallTime: 10 * time.Minute,
		Stack:    1 << 20,
		Log:      1 << 20,
		Output:   4 << 20,
		Request:  1 << 20,
		Response: 4 << 20,
		InFlight: 64,
	}
}

// Or returns l with every zero field taken from d.
func (l Limits) Or(d Limits) Limits {
	if l.Memory == 0 {
		l.Memory = d.Memory
	}
	if l.CPUTime == 0 {
		l.CPUTime = d.CPUTime
	}
	if l.WallTime == 0 {
		l.WallTime = d.WallTime
	}
	if l.Stack == 0 {
		l.Stack = d.Stack
	}
	if l.Log == 0 {
		l.Log = d.Log
	}
	if l.Output == 0 {
		l.Output = d.Output
	}
	if l.Request == 0 {
		l.Request = d.Request
	}
	if l.Response == 0 {
		l.Response = d.Response
	}
	if l.InFlight == 0 {
		l.InFlight = d.InFlight
	}
	return l
}

// ExceededError ends an agent that went past one of its limits.
type ExceededError struct {
	Limit string // the Limits field's toml name, e.g. "memory"
	Value string // the limit, human-readable, e.g. "256 MiB"
}

func (e *ExceededError) Error() string {
	if e.Limit == "cpu_time" {
		// Say what is measured: the key's name suggests processor time, which it is not.
		return "limit exceeded: cpu_time (" + e.Value + " of active time: wall time not blocked in system calls)"
	}
	return "limit exceeded: " + e.Limit + " (" + e.Value + ")"
}

// Within returns l with every field that exceeds the same field of max lowered to it; a zero
// field of either means "not set" and takes the other's value. Over lists the fields that
// were lowered, by toml name.
func (l Limits) Within(max Limits) (in Limits, over []string) {
	size := func(name string, v, m uint64) uint64 {
		switch {
		case v == 0:
			return m
		case m != 0 && v > m:
			over = append(over, name)
			return m
		}
		return v
	}
	dur := func(name string, v, m time.Duration) time.Duration {
		return time.Duration(size(name, uint64(v), uint64(m)))
	}
	in = Limits{
		Memory:   size("memory", l.Memory, max.Memory),
		CPUTime:  dur("cpu_time", l.CPUTime, max.CPUTime),
		WallTime: dur("wall_time", l.WallTime, max.WallTime),
		Stack:    size("stack", l.Stack, max.Stack),
		Log:      size("log", l.Log, max.Log),
		Output:   size("output", l.Output, max.Output),
		Request:  size("request", l.Request, max.Request),
		Response: size("response", l.Response, max.Response),
		InFlight: int(size("in_flight", uint64(l.InFlight), uint64(max.InFlight))),
	}
	return in, over
}
