package cli

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"sync"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
)

// Why a run ended, as `aios run` reports it. The exit code alone cannot say: an agent may exit
// 72 on its own, which is also the code of a limit.
const (
	causeAgent       = "agent"       // the agent ended by itself; the exit code is its own
	causeLimit       = "limit"       // the host stopped the agent at one of its limits
	causeTrap        = "trap"        // the agent crashed
	causeStart       = "start"       // the agent could not be started (policy refused it, the kernel failed)
	causeInterrupted = "interrupted" // aios received SIGINT or SIGTERM and stopped the agent
)

// ending is how one run ended: its exit code and the cause behind it.
type ending struct {
	Code   int
	Cause  string
	Limit  *limits.ExceededError // set when Cause is causeLimit
	Signal *interruptedError     // set when Cause is causeInterrupted
	Reason error                 // the host's error, when it stopped the agent
}

func endingOf(r *aios.Result) ending {
	var (
		lim *limits.ExceededError
		sig *interruptedError
	)
	switch {
	case r.Err == nil:
		return ending{Code: r.ExitCode, Cause: causeAgent}
	case errors.As(r.Err, &lim):
		return ending{Code: ExitLimit, Cause: causeLimit, Limit: lim, Reason: r.Err}
	case errors.As(r.Err, &sig):
		return ending{Code: sig.code(), Cause: causeInterrupted, Signal: sig, Reason: sig}
	default:
		return ending{Code: ExitTrap, Cause: causeTrap, Reason: r.Err}
	}
}

// describe is the ending in words for the summary line, e.g. "exited 72 (the agent's own exit
// code)", "stopped by the host, exit 72: limit exceeded: wall_time (10s)" or "stopped by the
// host, exit 130: interrupted by SIGINT".
func (e ending) describe() string {
	switch {
	case e.Cause != causeAgent:
		return "stopped by the host, exit " + strconv.Itoa(e.Code) + ": " + safeText(e.Reason.Error())
	case e.Code == 0:
		return "exited 0"
	default:
		return "exited " + strconv.Itoa(e.Code) + " (the agent's own exit code)"
	}
}

// jsonResult is the last object `aios run --json` prints for each agent; the form is stable for
// scripts (README.md, "Exit status").
type jsonResult struct {
	Event      string     `json:"event"` // "result"
	PID        kernel.PID `json:"pid,omitempty"`
	Agent      string     `json:"agent,omitempty"`
	ExitCode   int        `json:"exit_code"`
	Cause      string     `json:"cause"`           // "agent", "limit", "trap", "start" or "interrupted"
	Limit      string     `json:"limit,omitempty"` // with cause "limit": its name, e.g. "wall_time"
	LimitValue string     `json:"limit_value,omitempty"`
	Signal     string     `json:"signal,omitempty"` // with cause "interrupted": "SIGINT" or "SIGTERM"
	Error      string     `json:"error,omitempty"`  // the host's reason, unless the cause is "agent"
	Output     string     `json:"output"`
	DurationMS int64      `json:"duration_ms"`
	Usage      jsonUsage  `json:"usage"`
	// Children are the agents it started (agent_spawn), each with its own.
	Children []jsonChild `json:"children,omitempty"`
}

type jsonUsage struct {
	Calls        int                 `json:"calls"`
	Denied       int                 `json:"denied"`
	Generations  int                 `json:"generations"`
	InputTokens  int                 `json:"input_tokens"`
	OutputTokens int                 `json:"output_tokens"`
	Cost         string              `json:"cost"`
	Cores        map[string]jsonCore `json:"cores,omitempty"`
	// BudgetRefusals and Exhausted say when a budget was reached: how many generations it
	// refused and which budget refused the last, e.g. `run "spend[1]" tokens budget of 50 tokens`.
	BudgetRefusals int    `json:"budget_refusals,omitempty"`
	Exhausted      string `json:"exhausted,omitempty"`
}

type jsonCore struct {
	Generations  int    `json:"generations"`
	InputTokens  int    `json:"input_tokens"`
	OutputTokens int    `json:"output_tokens"`
	Cost         string `json:"cost"`
	QueueWaitMS  int64  `json:"queue_wait_ms"`
	Retries      int    `json:"retries"`
}

func newJSONResult(r *aios.Result) jsonResult {
	e := endingOf(r)
	u := r.Usage
	out := jsonResult{
		Event: "result", PID: r.PID, Agent: r.Name, ExitCode: e.Code, Cause: e.Cause,
		Output: string(r.Output), DurationMS: r.Duration.Milliseconds(),
		Usage: jsonUsage{Calls: u.Calls, Denied: u.Denied, Generations: u.Generations, InputTokens: u.InputTokens,
			OutputTokens: u.OutputTokens, Cost: u.Cost.String(), BudgetRefusals: u.BudgetRefusals, Exhausted: u.Exhausted},
		Children: jsonChildren(r.Children),
	}
	if e.Reason != nil {
		out.Error = e.Reason.Error()
	}
	if e.Limit != nil {
		out.Limit, out.LimitValue = e.Limit.Limit, e.Limit.Value
	}
	if e.Signal != nil {
		out.Signal = e.Signal.name()
	}
	for name, c := range u.Cores {
		if out.Usage.Cores == nil {
			out.Usage.Cores = map[string]jsonCore{}
		}
		out.Usage.Cores[name] = jsonCore{Generations: c.Generations, InputTokens: c.InputTokens,
			OutputTokens: c.OutputTokens, Cost: c.Cost.String(), QueueWaitMS: c.QueueWait.Milliseconds(),
			Retries: c.Retries}
	}
	return out
}

// jsonEvent is one live event of `aios run --json`: a log line or streamed text, exactly as the
// agent produced it (JSON escapes what a terminal would act on).
type jsonEvent struct {
	Event string     `json:"event"` // "log", "token", "exit", "retry", "failover" or "restart"
	PID   kernel.PID `json:"pid"`
	Agent string     `json:"agent"`
	Level string     `json:"level,omitempty"`
	Text  string     `json:"text,omitempty"`
	Code  *int       `json:"code,omitempty"`
	// A retry or failover of a generation (event "retry" or "failover"): see dispatch.Notice.
	Core        string `json:"core,omitempty"`
	To          string `json:"to,omitempty"`
	Attempt     int    `json:"attempt,omitempty"`
	MaxAttempts int    `json:"max_attempts,omitempty"`
	WaitMS      int64  `json:"wait_ms,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// jsonPrinter writes `aios run --json`'s stream: one JSON object per line, events as they
// happen, then each agent's result.
type jsonPrinter struct {
	mu      sync.Mutex
	enc     *json.Encoder
	err     error
	results int // result objects written
}

func newJSONPrinter(w io.Writer) *jsonPrinter { return &jsonPrinter{enc: json.NewEncoder(w)} }

func (p *jsonPrinter) event(e kernel.Event) {
	je := jsonEvent{PID: e.PID, Agent: e.Name, Text: e.Text}
	switch e.Kind {
	case kernel.EventLog:
		je.Event, je.Level = "log", "info"
		if e.Level >= 0 && e.Level < len(levelNames) {
			je.Level = levelNames[e.Level]
		}
	case kernel.EventToken:
		je.Event = "token"
	case kernel.EventExit:
		code := e.Code
		je.Event, je.Code = "exit", &code
	case kernel.EventRetry, kernel.EventFailover:
		if e.Notice == nil { // a durable run's restart (docs/DURABLE.md): its text says when
			if e.Kind == kernel.EventRetry {
				je.Event = "restart"
				p.write(je)
			}
			return
		}
		n := e.Notice
		je.Event, je.Core, je.To, je.Attempt, je.MaxAttempts, je.WaitMS, je.Reason =
			string(n.Kind), n.Core, n.To, n.Attempt, n.MaxAttempts, n.Wait.Milliseconds(), n.Reason
	default:
		return
	}
	p.write(je)
}

// unstarted writes the result of a run that failed before any agent ended (the module refused,
// the configuration wrong, a compile past the wall-time limit), so that once the flags are
// accepted --json ends with a result object whatever happens. err is what runRun returns; nil,
// or results already written, add nothing.
func (p *jsonPrinter) unstarted(err error) {
	if err == nil || p.results > 0 {
		return
	}
	res := jsonResult{Event: "result", ExitCode: ExitKernel, Cause: causeStart, Error: err.Error()}
	var ee *exitError
	if errors.As(err, &ee) {
		res.ExitCode = ee.code
		if ee.err == nil {
			res.Error = ""
		}
	}
	var (
		lim *limits.ExceededError
		sig *interruptedError
	)
	switch {
	case errors.As(err, &sig):
		res.Cause, res.Signal = causeInterrupted, sig.name()
	case errors.As(err, &lim):
		res.Cause, res.Limit, res.LimitValue = causeLimit, lim.Limit, lim.Value
	}
	p.write(res)
}

func (p *jsonPrinter) write(v any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := v.(jsonResult); ok {
		p.results++
	}
	if err := p.enc.Encode(v); err != nil && p.err == nil {
		p.err = err
	}
}
