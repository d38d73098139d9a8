package kernel

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aiosys/aios/kernel/quota"
)

// ReplayedSpawn is a child that a durable parent started before a crash, as the parent's
// journal knows it: the index of its agent_spawn call and the pid that call gave it.
type ReplayedSpawn struct {
	Index int
	PID   PID
	// Killed says the parent's journal holds an agent_kill of it.
	Killed bool
	// Budget is the budget the spawn asked for (SpawnRequest.Budget), set aside again.
	Budget quota.Amount
}

// ChildResumer is a Spawner that can bring back the children of a resumed durable parent
// (docs/DURABLE.md, "Children"). A Spawner that is not one leaves them ended, failed.
type ChildResumer interface {
	// ResumeChild creates, without running it, the process of the child that parent's
	// journaled call index started before the crash, from the child's own record: spec is the
	// child's spec as a spawn makes it, with the parent's link, which ResumeChild completes
	// from the record before Kernel.Spawn. It returns the process, the module the parent named,
	// and start, which runs the child on a goroutine of its own under ctx (from its journal on,
	// or only replaying it when it had ended) and ends it as StartChild's goroutine does.
	ResumeChild(ctx context.Context, parent *Process, index int, spec Spec) (proc *Process, module string, start func(), err error)
}

// ResumeChildren brings back the children that p, a resumed durable process, started in the
// replayed part of its journal, under the pids the journal gave them, so that p's live calls
// find them: a child that had not ended goes on from its own journal, one that had ended is
// replayed to give its recorded end, sending nothing. Then the messages p's replayed part sent
// are delivered again (Redeliver). A resumed guest calls it once, when it goes live.
func (p *Process) ResumeChildren(spawns []ReplayedSpawn) {
	k := p.k
	r, _ := k.spawner.(ChildResumer)
	var starts []func()
	var killed []*child
	seen := map[int]bool{}
	for _, s := range spawns {
		if seen[s.Index] { // one child per spawn, however the journal came to name it twice
			continue
		}
		seen[s.Index] = true
		k.notePID(s.PID) // a pid given from now on is none of the journal's
		cctx, cancel := context.WithCancel(context.Background())
		c := &child{parent: p, alias: s.PID, cancel: cancel, done: make(chan struct{}), started: k.now()}
		slot, err := p.fam.reserveChild(p, k.limitsOfAgents())
		if err == nil && r == nil {
			slot.release()
			err = fmt.Errorf("%w: the host cannot resume children", ErrNoManager)
		}
		if err != nil {
			c.endUnstarted(err)
			p.fam.adopt(c, nil)
			continue
		}
		c.slot = slot
		// The child's budget is set aside from its parent's again, as the spawn did: the
		// resumed parent's account holds only what it spent itself, and the child's holds what
		// it spent before the crash (ChildResumer), which its end charges to the parent.
		hold, budget, err := p.carve(s.Budget)
		if err != nil {
			// The parent's budget cannot set the share aside again: the child is still held to
			// the budget it was given, charged to the parent at its end.
			hold, budget = nil, quota.Limit{Tokens: s.Budget.Tokens, Money: s.Budget.Money}
		}
		c.hold = hold
		spec := p.childSpec("", SpawnRequest{}, budget)
		spec.parent = c
		cp, module, start, err := r.ResumeChild(cctx, p, s.Index, spec)
		if err != nil {
			if hold != nil {
				hold.Settle(quota.Amount{})
			}
			slot.release()
			c.endUnstarted(err)
			p.fam.adopt(c, nil)
			continue
		}
		c.module = module
		p.fam.adopt(c, cp)
		starts = append(starts, start)
		if s.Killed {
			killed = append(killed, c)
		}
	}
	p.Redeliver()
	for _, start := range starts {
		start()
	}
	for _, c := range killed {
		c.kill("killed")
	}
}

// endUnstarted ends a child that could not be brought back: its parent's wait finds it failed
// with why.
func (c *child) endUnstarted(err error) {
	c.mu.Lock()
	c.status = "failed"
	c.result = ChildInfo{PID: c.alias, Module: c.module, Status: "failed", ExitCode: -1,
		Error: fmt.Sprintf("the child could not be resumed: %v", err)}
	c.mu.Unlock()
	c.cancel()
	close(c.done)
}

// noteParentAlias keeps the pid the child cp knows its parent by (AIOS_PARENT in its
// environment), when it is not the parent's own: a child resumed after a crash knows the pid its
// parent had before it. It is called as cp is made, before anyone can reach it.
func (c *child) noteParentAlias(cp *Process) {
	for _, kv := range cp.spec.Env {
		v, ok := strings.CutPrefix(kv, ParentEnv+"=")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(v, 10, 64); err == nil && PID(n) != c.parent.pid {
			c.parentAlias = PID(n)
		}
	}
}

// notePID makes every pid the kernel gives from now on larger than pid.
func (k *Kernel) notePID(pid PID) {
	for {
		cur := k.nextPID.Load()
		if uint64(pid) <= cur || k.nextPID.CompareAndSwap(cur, uint64(pid)) {
			return
		}
	}
}

// ReplaySent notes a message that p, a resumed durable process, sent to to before the crash:
// its replayed msg_send succeeded. It takes the channel's next seq, as it did then, and
// Redeliver delivers it again; a recipient that had received it drops the copy, and one that
// had not gets it once.
func (p *Process) ReplaySent(to PID, body []byte) {
	f := p.fam
	f.seqMu.Lock()
	defer f.seqMu.Unlock()
	if f.sent == nil {
		f.sent = map[PID]uint64{}
	}
	f.sent[to]++
	f.replayed = append(f.replayed, outgoing{to: to, body: body, seq: f.sent[to]})
}

// Redeliver delivers again, in order, the messages ReplaySent noted, to the recipients that are
// there; one that has ended, or whose mailbox is full, does not get its copy.
func (p *Process) Redeliver() {
	f := p.fam
	f.seqMu.Lock()
	out := f.replayed
	f.replayed = nil
	f.seqMu.Unlock()
	for _, m := range out {
		if target, _ := p.relative(m.to); target != nil {
			_ = target.fam.box.put(Message{From: p.knownAs(target), Body: m.body, seq: m.seq})
		}
	}
}

// outgoing is a message sent before a crash, to send again.
type outgoing struct {
	to   PID
	body []byte
	seq  uint64
}

// NoteReceived tells p, a resumed durable process, how many messages it received from each
// sender before the crash (by the pid it knew the sender by), as its journal holds them, so
// that it drops the copies its senders deliver again. It must be called before p can be sent
// a message.
func (p *Process) NoteReceived(counts map[PID]uint64) {
	b := p.fam.box
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen == nil {
		b.seen = make(map[PID]uint64, len(counts))
	}
	for from, n := range counts {
		b.seen[from] = max(b.seen[from], n)
	}
}
