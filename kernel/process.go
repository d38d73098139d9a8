package kernel

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/policy"
)

// PID identifies a process for the kernel's lifetime.
type PID uint64

// State is where a process is in its life.
type State int

const (
	Running State = iota // executing its own code
	Blocked              // waiting in a system call
	Exited
)

func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Blocked:
		return "blocked"
	default:
		return "exited"
	}
}

// Spec describes a process to spawn.
type Spec struct {
	Name string
	// Tenant is whose the agent is, for fair share by tenant and tenant budgets; empty if none.
	// It comes from the run request (later the manifest), never from the agent.
	Tenant string
	// Priority orders the agent's generations under the priority scheduler: higher first.
	Priority int
	Input    []byte
	Args     []string
	Env      []string
	Limits   Limits
	// Events receives the process's log lines and streamed tokens as they happen. It is called
	// from the process's goroutines and must not block for long. May be nil.
	Events func(Event)
	// Seed makes the process's random generator deterministic; zero draws one from crypto/rand.
	Seed uint64
	// Agent is the identity and declared capabilities policy decides on, from the bundle and
	// its signature, never from the agent; an empty Name or Tenant is taken from the fields above.
	Agent policy.Agent
	// Confirm asks an operator when policy requires confirmation of a call; nil denies such
	// calls unless Approve or the gate pre-approves them.
	Confirm Confirmer
	// Approve lists calls pre-approved for this process when policy requires confirmation:
	// "llm_generate" or "agent:llm_generate".
	Approve []string
	// Budget is what this process alone may spend (a bundle's [budgets]); zero fields are
	// unlimited. It binds together with the agent's and tenant's budgets, so the smallest wins.
	// It needs a kernel with a ledger (WithLedger).
	Budget quota.Limit
	// Trace, when not nil, is told of each system call the gate decides, from its start to
	// its end (see CallTracer). Nil traces nothing and costs nothing.
	Trace CallTracer

	parent *child // the parent's record of this child (agent_spawn); nil for a run's first agent
}

// Limits are the parts of limits.Limits the kernel enforces.
type Limits struct {
	Log    uint64 // bytes of log kept
	Output uint64 // bytes of output accepted
}

// EventKind says what an Event carries.
type EventKind int

const (
	EventLog      EventKind = iota // a log line (Level set)
	EventToken                     // streamed LLM text
	EventExit                      // the process exited (Code set)
	EventRetry                     // a generation's try failed and will be retried (Notice set), or a durable run failed and will be restarted (Notice nil)
	EventFailover                  // a generation moved to another core (Notice set)
)

// Event is something a process did that a watcher (e.g. `aios run`) may show live.
type Event struct {
	PID   PID
	Name  string
	Kind  EventKind
	Level int
	Text  string
	Code  int
	// Notice details a retry or failover; Text is then its one-line form.
	Notice *dispatch.Notice
}

// Info is a snapshot of a process table entry.
type Info struct {
	PID      PID
	Name     string
	State    State
	Started  time.Time
	ExitCode int
	Usage    Usage
}

// ErrOutputLimit is returned by Output past the process's output limit.
var ErrOutputLimit = fmt.Errorf("output limit reached")

// Process is one running agent as the kernel sees it. Its methods are the kernel side of the
// system calls; they are safe for concurrent use.
type Process struct {
	k    *Kernel
	pid  PID
	spec Spec

	mu       sync.Mutex
	state    State
	blocked  int // system calls in progress
	started  time.Time
	exitCode int
	usage    Usage
	output   []byte
	rng      *mrand.ChaCha8
	run      string // the process's own account in the ledger; empty: no budget of its own
	fam      *family
	kept     atomic.Pointer[keptGeneration] // the last generation's decision, while it stands
}

func newProcess(k *Kernel, pid PID, spec Spec) *Process {
	seed := spec.Seed
	if seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	p := &Process{k: k, pid: pid, spec: spec, started: k.now(), rng: mrand.NewChaCha8(s)}
	p.fam = newFamily(k, spec.parent)
	if c := spec.parent; c != nil {
		c.noteParentAlias(p) // before the child runs (agents_durable.go)
		c.mu.Lock()
		c.proc = p
		c.mu.Unlock()
	}
	return p
}

// PID returns the process's identifier.
func (p *Process) PID() PID { return p.pid }

// Name returns the process's name.
func (p *Process) Name() string { return p.spec.Name }

// Args returns the process's arguments.
func (p *Process) Args() []string { return p.spec.Args }

// Env returns the process's environment, as KEY=VALUE strings.
func (p *Process) Env() []string { return p.spec.Env }

// State returns the process's current state.
func (p *Process) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Info returns a snapshot of the process's table entry.
func (p *Process) Info() Info {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Info{PID: p.pid, Name: p.spec.Name, State: p.state, Started: p.started, ExitCode: p.exitCode, Usage: p.usage.clone()}
}

// Input returns the run input.
//
// A kernel with a policy gate decides the call first; as Input has no error result, a denied
// read returns no input (the denial is in the audit log and the live log).
func (p *Process) Input() []byte {
	t := p.startCall("input")
	_, err := p.Authorize(context.Background(), "input", nil)
	t.end(&err)
	if err != nil {
		return nil
	}
	p.count()
	return p.spec.Input
}

// Output appends to the run output. Past the output limit nothing is appended.
func (p *Process) Output(b []byte) (err error) {
	defer p.startCall("output").end(&err)
	if _, err := p.Authorize(context.Background(), "output", nil); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.usage.Calls++
	if p.spec.Limits.Output > 0 && uint64(len(p.output))+uint64(len(b)) > p.spec.Limits.Output {
		return ErrOutputLimit
	}
	p.output = append(p.output, b...)
	p.usage.OutputBytes = uint64(len(p.output))
	return nil
}

// OutputBytes returns a copy of the run output so far.
func (p *Process) OutputBytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.output)
}

// Log records a log line at level (0 debug … 3 error). Past the log limit, lines are dropped
// and a single notice says so. A line policy denies is dropped (Log has no error result).
func (p *Process) Log(level int, msg string) {
	t := p.startCall("log")
	_, err := p.Authorize(context.Background(), "log", nil)
	t.end(&err)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.usage.Calls++
	limit := p.spec.Limits.Log
	was := p.usage.LogBytes
	if limit > 0 && was >= limit {
		p.mu.Unlock()
		return
	}
	if limit > 0 && was+uint64(len(msg)) > limit {
		msg = msg[:limit-was]
		p.usage.LogBytes = limit
	} else {
		p.usage.LogBytes += uint64(len(msg))
	}
	full := p.usage.LogBytes >= limit && limit > 0
	p.mu.Unlock()
	p.emit(Event{Kind: EventLog, Level: level, Text: msg})
	if full {
		p.emit(Event{Kind: EventLog, Level: 2, Text: fmt.Sprintf("log limit (%d bytes) reached; further log output is dropped", limit)})
	}
}

// Generate runs one LLM generation for the process. onChunk, if not nil, receives streamed text;
// streamed text also reaches the process's Events.
//
// The generation goes to the kernel's core as the process's own (dispatch.WithCall: its name,
// tenant, priority and PID), whatever the request says, so schedulers and budgets see who
// asked. The request's priority hint may lower the process's priority, never raise it. What it used is added to the process's usage, per core.
func (p *Process) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (_ llm.Response, err error) {
	if len(req.Messages) == 0 {
		return llm.Response{}, fmt.Errorf("generate: %w", ErrInvalid)
	}
	t := p.startCall("llm_generate")
	defer t.end(&err)
	req, err = p.authorizeGenerate(ctx, req)
	if err != nil {
		return llm.Response{}, err
	}
	p.block()
	defer p.unblock()
	var sink func(llm.Chunk)
	if req.Stream || onChunk != nil {
		sink = func(c llm.Chunk) {
			p.emit(Event{Kind: EventToken, Text: c.Text})
			if onChunk != nil {
				onChunk(c)
			}
		}
	}
	call := &dispatch.Call{
		Caller:  dispatch.Caller{Agent: p.spec.Name, Tenant: p.spec.Tenant, Priority: p.priority(req), PID: uint64(p.pid), Run: p.run},
		Notices: p.notice,
	}
	resp, err := p.k.core.Generate(dispatch.WithCall(ctx, call), req, sink)
	if err != nil {
		p.noteRefusal(err)
		return llm.Response{}, err
	}
	var receipt *dispatch.Receipt
	if call.Charged {
		receipt = &call.Receipt
	}
	p.mu.Lock()
	p.usage.addGeneration(resp, receipt)
	p.mu.Unlock()
	t.noteGeneration(generationEnd(req.Model, resp.Core, resp.Usage, receipt))
	return resp, nil
}

// Now returns the kernel's wall clock.
func (p *Process) Now() time.Time { return p.k.now() }

// Random fills b from the process's generator.
func (p *Process) Random(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = p.rng.Read(b)
}

// Exit marks the process exited with code.
func (p *Process) Exit(code int) {
	p.mu.Lock()
	if p.state == Exited {
		p.mu.Unlock()
		return
	}
	p.state = Exited
	p.exitCode = code
	p.mu.Unlock()
	p.closeBudget()
	p.emit(Event{Kind: EventExit, Code: code})
}

// Block marks the process as waiting in a system call until the returned func is called.
// hostcalls uses it for waits that do not go through the kernel (sleep, wait).
func (p *Process) Block() (unblock func()) {
	p.block()
	return p.unblock
}

func (p *Process) block() {
	p.mu.Lock()
	p.blocked++
	if p.state != Exited {
		p.state = Blocked
	}
	p.mu.Unlock()
}

func (p *Process) unblock() {
	p.mu.Lock()
	p.blocked--
	if p.blocked == 0 && p.state != Exited {
		p.state = Running
	}
	p.mu.Unlock()
}

func (p *Process) count() {
	p.mu.Lock()
	p.usage.Calls++
	p.mu.Unlock()
}

// notice passes a generation's retry or failover on to the process's events.
func (p *Process) notice(n dispatch.Notice) {
	kind := EventRetry
	if n.Kind == dispatch.NoticeFailover {
		kind = EventFailover
	}
	p.emit(Event{Kind: kind, Text: n.String(), Notice: &n})
}

func (p *Process) emit(e Event) {
	if p.spec.Events == nil {
		return
	}
	e.PID, e.Name = p.pid, p.spec.Name
	p.spec.Events(e)
}

// priority is the priority req runs at: the process's own, or the request's hint when lower.
func (p *Process) priority(req llm.Request) int {
	if req.Priority != nil && *req.Priority < p.spec.Priority {
		return *req.Priority
	}
	return p.spec.Priority
}
