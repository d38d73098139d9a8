package kernel

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/policy"
)

// family is a process's place in its run tree: its parent's record of it, its children, its
// mailbox. A run's first agent (no parent) starts a tree of its own.
type family struct {
	self  *child // the record the parent keeps; nil for a run's first agent
	depth int
	tree  *tree
	box   *mailbox

	mu       sync.Mutex
	children []*child
	live     int
	// forgotten counts the ended children whose records were dropped (MaxChildRecords).
	forgotten int
	ended     bool // the process is ending: it starts no more children

	// seqMu orders the process's messages: sent is the last seq used per recipient (as the
	// process names it), replayed the messages a resumed process sent before a crash, to
	// deliver again (Redeliver).
	seqMu    sync.Mutex
	sent     map[PID]uint64
	replayed []outgoing
}

// tree counts the live agents of one run tree.
type tree struct {
	mu   sync.Mutex
	live int
}

func newFamily(k *Kernel, self *child) *family {
	lim := k.limitsOfAgents()
	f := &family{self: self, box: newMailbox(lim.Mailbox)}
	if self == nil {
		f.tree = &tree{live: 1}
		return f
	}
	pf := self.parent.fam
	f.depth, f.tree = pf.depth+1, pf.tree
	return f
}

// slot is a child's place under its parent's and its tree's limits, held from the spawn
// until the child ends.
type slot struct {
	f    *family
	once sync.Once
}

func (s *slot) release() {
	s.once.Do(func() {
		s.f.mu.Lock()
		s.f.live--
		s.f.mu.Unlock()
		t := s.f.tree
		t.mu.Lock()
		t.live--
		t.mu.Unlock()
	})
}

// reserveChild takes a place for one more child of p, or says which limit refuses it.
func (f *family) reserveChild(p *Process, lim AgentLimits) (*slot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.ended:
		return nil, fmt.Errorf("agent_spawn: %w: the agent is ending", context.Canceled)
	case f.depth+1 > lim.Depth:
		return nil, fmt.Errorf("agent_spawn: %w: %s is %d generations below its run's first agent, the most allowed (depth)",
			ErrAgentLimit, p.spec.Name, f.depth)
	case f.live >= lim.Children:
		return nil, fmt.Errorf("agent_spawn: %w: %s has %d children running, the most allowed (children)",
			ErrAgentLimit, p.spec.Name, f.live)
	}
	t := f.tree
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.live >= lim.Tree {
		return nil, fmt.Errorf("agent_spawn: %w: the run has %d agents running, the most allowed (tree)", ErrAgentLimit, t.live)
	}
	t.live++
	f.live++
	return &slot{f: f}, nil
}

// MaxChildRecords bounds the children a process keeps records of: past it, the oldest that
// has ended is forgotten (agent_wait then finds no such child), so that an agent starting
// children one after another for a long time does not grow without bound.
const MaxChildRecords = 256

// adopt lists the started child c; a parent that began ending meanwhile kills it at once.
func (f *family) adopt(c *child, _ *Process) {
	f.mu.Lock()
	if len(f.children) >= MaxChildRecords {
		for i, old := range f.children {
			if old.ended() {
				f.children = append(f.children[:i], f.children[i+1:]...)
				f.forgotten++
				break
			}
		}
	}
	f.children = append(f.children, c)
	ended := f.ended
	f.mu.Unlock()
	if ended {
		c.kill("canceled")
	}
}

// child returns the record of the child pid, or nil.
func (f *family) child(pid PID) *child {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.children {
		if c.pid() == pid {
			return c
		}
	}
	return nil
}

// child is a parent's record of one child: how to end it, and how it ended.
type child struct {
	parent  *Process
	module  string
	cancel  context.CancelFunc
	done    chan struct{} // closed when the child has ended and result is set
	hold    *quota.Hold   // its budget, set aside from the parent's; nil: none
	slot    *slot
	started time.Time
	// alias is the pid the parent knows the child by, when not its own: a child resumed after
	// a crash keeps the pid the parent's journal gave it. parentAlias is, likewise, the pid the
	// child knows its parent by. Both are set before the child is adopted.
	alias, parentAlias PID

	mu     sync.Mutex
	proc   *Process
	status string // "killed" or "canceled" once asked to end; then its final status
	result ChildInfo
}

// pid is the pid the parent knows the child by.
func (c *child) pid() PID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pidLocked()
}

func (c *child) pidLocked() PID {
	switch {
	case c.alias != 0:
		return c.alias
	case c.proc == nil:
		return 0
	}
	return c.proc.pid
}

// ended reports whether the child has ended.
func (c *child) ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// kill asks the child to end, noting why; a child that has ended is left alone.
func (c *child) kill(why string) {
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		return
	default:
	}
	if c.status == "" {
		c.status = why
	}
	c.mu.Unlock()
	c.cancel()
}

// ChildInfo is a child agent as its parent and the run summary see it.
type ChildInfo struct {
	PID    PID
	Name   string
	Module string // as the parent named it
	// Status is "running", "exited" (it returned or called proc_exit), "failed" (the host
	// ended it: a trap or a limit; Error says which), "killed" (agent_kill) or "canceled"
	// (its parent ended first).
	Status   string
	ExitCode int
	Error    string
	Usage    Usage
	// Output is the start of its run output, at most MaxChildOutput bytes; OutputBytes is the
	// size of the whole.
	Output      []byte
	OutputBytes int
	Children    []ChildInfo
}

// MaxChildOutput bounds the output a parent's record of a child keeps (agent_wait's output).
const MaxChildOutput = 64 << 10

// info returns the child's record; withOutput keeps its output.
func (c *child) info(withOutput bool) ChildInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
		in := c.result
		if !withOutput {
			in.Output = nil
		}
		return in
	default:
	}
	in := ChildInfo{Module: c.module, Status: "running"}
	if c.proc != nil {
		i := c.proc.Info()
		in.PID, in.Name, in.Usage = c.pidLocked(), i.Name, i.Usage
		in.Children = c.proc.Children()
	}
	return in
}

// Children returns the process's children, in the order it started them, with theirs; past
// MaxChildRecords, the oldest that ended are left out (see ForgottenChildren).
func (p *Process) Children() []ChildInfo {
	p.fam.mu.Lock()
	cs := append([]*child(nil), p.fam.children...)
	p.fam.mu.Unlock()
	out := make([]ChildInfo, len(cs))
	for i, c := range cs {
		out[i] = c.info(false)
	}
	return out
}

// EndChildren cancels every child of the process that is still running and waits until all
// have ended; the process starts no child after it. A run calls it when its agent's code has
// returned, before End.
func (p *Process) EndChildren() {
	f := p.fam
	f.mu.Lock()
	f.ended = true
	cs := append([]*child(nil), f.children...)
	f.mu.Unlock()
	for _, c := range cs {
		c.kill("canceled")
	}
	for _, c := range cs {
		<-c.done
	}
}

// End ends the process with code, as Exit does; cause, when not nil, is why the host ended it
// (a trap, a limit). For a child, the parent's record then holds how it ended, and what it
// spent is charged to the parent's budget in place of what was set aside for it.
func (p *Process) End(code int, cause error) {
	p.EndChildren()
	c := p.fam.self
	var spent quota.Amount
	if p.run != "" {
		spent = p.k.ledger.Balance(quota.Run, p.run).Used
	}
	p.Exit(code)
	p.fam.box.close()
	if c == nil {
		return
	}
	out := p.OutputBytes()
	in := ChildInfo{PID: c.pid(), Name: p.spec.Name, Module: c.module, ExitCode: code, Usage: p.Info().Usage,
		OutputBytes: len(out), Output: out[:min(len(out), MaxChildOutput)], Children: p.Children()}
	c.mu.Lock()
	switch {
	case c.status != "":
		in.Status = c.status
	case cause != nil:
		in.Status = "failed"
	default:
		in.Status = "exited"
	}
	if cause != nil {
		in.Error = cause.Error()
	}
	c.status, c.result = in.Status, in
	c.mu.Unlock()
	if c.hold != nil {
		c.hold.Settle(spent)
	}
	c.slot.release()
	c.cancel()
	close(c.done)
}

// childName is the name a child runs under: its module's file name without ".wasm".
func childName(module string) string {
	n := strings.TrimSuffix(path.Base(strings.ReplaceAll(module, "\\", "/")), ".wasm")
	if n == "" || n == "." || n == "/" {
		return "agent"
	}
	return n
}

// childAgent is a child's identity for policy: its own name, with its parent's tenant,
// publisher and declared capabilities (a child can declare no more than its parent).
func childAgent(parent policy.Agent, name string) policy.Agent {
	return policy.Agent{Name: name, Tenant: parent.Tenant, Publisher: parent.Publisher, Capabilities: parent.Capabilities}
}

// ForgottenChildren returns how many ended children the process no longer keeps a record of.
func (p *Process) ForgottenChildren() int {
	p.fam.mu.Lock()
	defer p.fam.mu.Unlock()
	return p.fam.forgotten
}
