package kernel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/limits"
)

// Spawner starts child agents (ABI 1.3's agent_spawn). The kernel knows nothing of modules or
// engines, so the root package implements it: it loads module on the system's engine and runs
// it as a process of this kernel.
type Spawner interface {
	// StartChild resolves and loads module for parent, creates the child's process with
	// Kernel.Spawn(spec) and runs it on a goroutine of its own under ctx, which the kernel
	// cancels when the child is killed or its parent ends. When the run is over the goroutine
	// ends the child's own children (Process.EndChildren) and then the child (Process.End). It
	// returns the child's process once it is in the table, or why it could not start.
	StartChild(ctx context.Context, parent *Process, module string, req SpawnRequest, spec Spec) (*Process, error)
}

// AgentLimits bound the agents a run may start and the messages they may queue.
type AgentLimits struct {
	Children int // children of one process alive at once
	Depth    int // generations of children below the run's first agent
	Tree     int // agents of one run tree alive at once, its first agent included
	Mailbox  int // messages waiting in one process's mailbox
	Message  int // bytes of one message's body
}

// DefaultAgentLimits are the limits a kernel without WithAgents' limits applies.
func DefaultAgentLimits() AgentLimits {
	return AgentLimits{Children: 64, Depth: 8, Tree: 1000, Mailbox: 64, Message: 64 << 10}
}

// or returns l with every zero or negative field taken from d.
func (l AgentLimits) or(d AgentLimits) AgentLimits {
	pick := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	return AgentLimits{pick(l.Children, d.Children), pick(l.Depth, d.Depth), pick(l.Tree, d.Tree),
		pick(l.Mailbox, d.Mailbox), pick(l.Message, d.Message)}
}

// WithAgents lets the kernel's processes start child agents through s, within lim (zero
// fields: DefaultAgentLimits). Without it agent_spawn is ENOSYS; messages between a run's
// agents work either way.
func WithAgents(s Spawner, lim AgentLimits) Option {
	return func(k *Kernel) { k.spawner, k.agentLimits = s, lim.or(DefaultAgentLimits()) }
}

// limitsOfAgents returns the kernel's agent limits.
func (k *Kernel) limitsOfAgents() AgentLimits { return k.agentLimits.or(DefaultAgentLimits()) }

// SpawnRequest is what a parent asks of a child (ABI 1.3's agent_spawn) beyond its module.
type SpawnRequest struct {
	Input []byte
	Args  []string
	Env   []string
	// Limits are the child's own; the spawner lowers every one to its parent's.
	Limits limits.Limits
	// Budget is the child's budget, set aside from the parent's own (see quota.Carve); zero
	// parts take all the parent has left of them, or are unlimited when the parent's are.
	Budget quota.Amount
	// Journaled says the spawn is a journaled call of a durable parent, Index its index in the
	// parent's journal: the spawner journals the child under a run id derived from both
	// (docs/DURABLE.md, "Children").
	Journaled bool
	Index     int
}

// ErrAgentLimit marks a spawn refused by AgentLimits (children, depth, tree); hostcalls maps it
// to ELIMIT.
var ErrAgentLimit = errors.New("agent limit reached")

// ErrNoAgent marks a pid that is not the caller's child (agent_wait, agent_kill) or not in its
// tree (msg_send); hostcalls maps it to ENOENT.
var ErrNoAgent = errors.New("no such agent")

// SpawnAgent starts module as a child of p: decided by policy (agent_spawn with args.module),
// bounded by the kernel's AgentLimits, its budget set aside from p's own. The child runs with
// p's tenant, priority, confirmation and declared capabilities under its own name; its
// process ends when p ends.
func (p *Process) SpawnAgent(ctx context.Context, module string, req SpawnRequest) (_ *Process, err error) {
	defer p.startCall("agent_spawn").end(&err)
	if _, err := p.Authorize(ctx, "agent_spawn", map[string]any{"module": module}); err != nil {
		return nil, err
	}
	p.count()
	k := p.k
	if k.spawner == nil {
		return nil, fmt.Errorf("agent_spawn: starting agents %w (the host has no spawner)", ErrNoManager)
	}
	slot, err := p.fam.reserveChild(p, k.limitsOfAgents())
	if err != nil {
		return nil, err
	}
	hold, budget, err := p.carve(req.Budget)
	if err != nil {
		slot.release()
		return nil, fmt.Errorf("agent_spawn: the child's budget: %w", err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	c := &child{parent: p, module: module, cancel: cancel, done: make(chan struct{}), hold: hold, slot: slot, started: k.now()}
	spec := p.childSpec(module, req, budget)
	spec.parent = c
	p.block()
	// A caller that gives up while the child is being loaded (its agent is ending) ends the
	// child too, rather than waiting for a compile to finish.
	stop := context.AfterFunc(ctx, func() { c.kill("canceled") })
	cp, err := k.spawner.StartChild(cctx, p, module, req, spec)
	stop()
	p.unblock()
	if err != nil {
		cancel()
		if hold != nil {
			hold.Settle(quota.Amount{})
		}
		slot.release()
		return nil, fmt.Errorf("agent_spawn %s: %w", quoteName(module), err)
	}
	p.fam.adopt(c, cp)
	return cp, nil
}

// carve sets the child's budget aside from p's own account, if p has one: the returned limit
// is the child's budget. Without one of its own, p passes want on as it is (zero: unlimited),
// and the agent's and tenant's budgets still bind the child.
func (p *Process) carve(want quota.Amount) (*quota.Hold, quota.Limit, error) {
	if want.Tokens < 0 || want.Money < 0 {
		return nil, quota.Limit{}, fmt.Errorf("%w: a budget of %d tokens and %s is negative", ErrInvalid, want.Tokens, want.Money)
	}
	if p.run == "" {
		return nil, quota.Limit{Tokens: want.Tokens, Money: want.Money}, nil
	}
	h, err := p.k.ledger.Carve(p.run, want)
	if err != nil {
		return nil, quota.Limit{}, err
	}
	got := h.Held()
	return h, quota.Limit{Tokens: got.Tokens, Money: got.Money}, nil
}

// childSpec is the spec of a child of p: p's tenant, priority, events, confirmation and
// declared capabilities, under the module's name, with p's pid in its environment.
func (p *Process) childSpec(module string, req SpawnRequest, budget quota.Limit) Spec {
	a := p.agent()
	s := p.spec
	return Spec{
		Name: childName(module), Tenant: s.Tenant, Priority: s.Priority,
		Input: req.Input, Args: req.Args, Env: childEnv(req.Env, p.pid), Limits: s.Limits,
		Events: s.Events, Confirm: s.Confirm, Approve: s.Approve, Trace: s.Trace, Budget: budget,
		Agent: childAgent(a, childName(module)),
	}
}

// WaitAgent waits for p's child pid to end, at most timeout (negative: no deadline; zero:
// only checks), and returns how it ended. ETIMEDOUT-like: a child still running when the
// deadline passes is context.DeadlineExceeded; with a zero timeout it is ErrStillRunning.
func (p *Process) WaitAgent(ctx context.Context, pid PID, timeout time.Duration) (_ ChildInfo, err error) {
	defer p.startCall("agent_wait").end(&err)
	if _, err := p.Authorize(ctx, "agent_wait", map[string]any{}); err != nil {
		return ChildInfo{}, err
	}
	p.count()
	c := p.fam.child(pid)
	if c == nil {
		return ChildInfo{}, fmt.Errorf("agent_wait: pid %d %w among the caller's children", pid, ErrNoAgent)
	}
	select {
	case <-c.done:
		return c.info(true), nil
	default:
	}
	if timeout == 0 {
		return ChildInfo{}, fmt.Errorf("agent_wait: pid %d: %w", pid, ErrStillRunning)
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	p.block()
	defer p.unblock()
	select {
	case <-c.done:
		return c.info(true), nil
	case <-ctx.Done():
		return ChildInfo{}, fmt.Errorf("agent_wait: pid %d: %w", pid, ctx.Err())
	}
}

// ErrStillRunning is an agent_wait with a zero timeout on a child still running; hostcalls
// maps it to EAGAIN.
var ErrStillRunning = errors.New("the agent is still running")

// KillAgent ends p's child pid (and so its own children). Killing a child that has ended
// does nothing.
func (p *Process) KillAgent(ctx context.Context, pid PID) (err error) {
	defer p.startCall("agent_kill").end(&err)
	if _, err := p.Authorize(ctx, "agent_kill", map[string]any{}); err != nil {
		return err
	}
	p.count()
	c := p.fam.child(pid)
	if c == nil {
		return fmt.Errorf("agent_kill: pid %d %w among the caller's children", pid, ErrNoAgent)
	}
	c.kill("killed")
	return nil
}

// Process returns the process pid while it is in the table.
func (k *Kernel) Process(pid PID) (*Process, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	p, ok := k.procs[pid]
	return p, ok
}

// ParentEnv is the environment variable that holds a child's parent's pid, so the child can
// message it.
const ParentEnv = "AIOS_PARENT"

// childEnv is env without any ParentEnv of its own, then ParentEnv=parent.
func childEnv(env []string, parent PID) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, ParentEnv+"=") {
			out = append(out, kv)
		}
	}
	return append(out, fmt.Sprintf("%s=%d", ParentEnv, parent))
}

// Kernel returns the kernel the process runs on (a Spawner starts children there).
func (p *Process) Kernel() *Kernel { return p.k }
