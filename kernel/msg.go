package kernel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Message is a message between the agents of one run tree (ABI 1.3's msg_send, msg_recv).
type Message struct {
	From PID
	Body []byte
	// seq numbers the messages of one sender to one recipient from 1, so that a message sent
	// again after a crash is delivered once (see Redeliver).
	seq uint64
}

// ErrMailboxFull is a msg_send to a mailbox holding AgentLimits.Mailbox messages: the sender
// is not blocked, and may retry. hostcalls maps it to EAGAIN.
var ErrMailboxFull = errors.New("the mailbox is full")

// ErrNoMessage is a msg_recv with a zero timeout on an empty mailbox; hostcalls maps it to
// EAGAIN.
var ErrNoMessage = errors.New("no message is waiting")

// ErrMessageSize is a message body past AgentLimits.Message; hostcalls maps it to E2BIG.
var ErrMessageSize = errors.New("the message is too large")

// mailbox is a process's bounded queue of messages. A closed mailbox (its process ended)
// refuses messages. Its queue is made at its first use: most agents never send or receive a
// message, and a queue of the default 64 messages is most of a process's own memory.
type mailbox struct {
	size   int
	mu     sync.Mutex
	ch     chan Message // nil until queue
	closed bool
	// seen is, per sender, the last seq put in the mailbox or received before a crash
	// (NoteReceived): a message at or below it is a copy and is dropped.
	seen map[PID]uint64
}

func newMailbox(size int) *mailbox { return &mailbox{size: size} }

// queue returns the mailbox's queue, making it at the first call.
func (b *mailbox) queue() chan Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.queueLocked()
}

func (b *mailbox) queueLocked() chan Message {
	if b.ch == nil {
		b.ch = make(chan Message, b.size)
	}
	return b.ch
}

// put queues m without blocking.
func (b *mailbox) put(m Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("%w: the agent has ended", ErrNoAgent)
	}
	if m.seq != 0 && m.seq <= b.seen[m.From] {
		return nil // delivered before: sent again by a resumed sender
	}
	select {
	case b.queueLocked() <- m:
		if b.seen == nil {
			b.seen = map[PID]uint64{}
		}
		b.seen[m.From] = m.seq
		return nil
	default:
		return ErrMailboxFull
	}
}

func (b *mailbox) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}

// SendMessage puts body in the mailbox of to, which must be p's parent, one of its children or
// one of its siblings (the other children of its parent). Policy decides the call with
// args.relation ("parent", "child" or "sibling"). A full mailbox is ErrMailboxFull at once.
func (p *Process) SendMessage(ctx context.Context, to PID, body []byte) (err error) {
	defer p.startCall("msg_send").end(&err)
	if max := p.k.limitsOfAgents().Message; len(body) > max {
		return fmt.Errorf("msg_send: %w: %d bytes, more than %d", ErrMessageSize, len(body), max)
	}
	target, rel := p.relative(to)
	if target == nil {
		return fmt.Errorf("msg_send: pid %d %w in the caller's tree (its parent, children and siblings)", to, ErrNoAgent)
	}
	if _, err := p.Authorize(ctx, "msg_send", relationArgs[rel]); err != nil {
		return err
	}
	p.count()
	if err := p.fam.send(p, target, to, slices.Clone(body)); err != nil {
		return fmt.Errorf("msg_send to pid %d: %w", to, err)
	}
	return nil
}

// send puts body in target's mailbox under the next seq of the channel from p to to; a seq is
// used up only by a message delivered.
func (f *family) send(p, target *Process, to PID, body []byte) error {
	f.seqMu.Lock()
	defer f.seqMu.Unlock()
	seq := f.sent[to] + 1
	if err := target.fam.box.put(Message{From: p.knownAs(target), Body: body, seq: seq}); err != nil {
		return err
	}
	if f.sent == nil {
		f.sent = map[PID]uint64{}
	}
	f.sent[to] = seq
	return nil
}

// knownAs is the pid to knows p by: a child resumed after a crash knows its parent by the pid
// the parent had before; a child is known by the pid its parent knows it by.
func (p *Process) knownAs(to *Process) PID {
	if s := to.fam.self; s != nil && s.parent == p && s.parentAlias != 0 {
		return s.parentAlias
	}
	if s := p.fam.self; s != nil {
		return s.pid()
	}
	return p.pid
}

// relationArgs are msg_send's policy arguments by relation, and noArgs msg_recv's: made once
// and shared by every call, which policy and the audit log only read.
var (
	relationArgs = map[string]map[string]any{
		"parent": {"relation": "parent"}, "child": {"relation": "child"}, "sibling": {"relation": "sibling"},
	}
	noArgs = map[string]any{}
)

// relative finds to among p's parent, children and siblings and says which it is. Children
// come first: a resumed child's pid (the one before the crash) may be its parent's new one.
func (p *Process) relative(to PID) (*Process, string) {
	if to == 0 {
		return nil, ""
	}
	if c := p.fam.child(to); c != nil {
		return c.procOf(), "child"
	}
	self := p.fam.self
	if self == nil || to == self.pid() {
		return nil, ""
	}
	if self.parent.pid == to || (self.parentAlias != 0 && self.parentAlias == to) {
		return self.parent, "parent"
	}
	if c := self.parent.fam.child(to); c != nil {
		return c.procOf(), "sibling"
	}
	return nil, ""
}

func (c *child) procOf() *Process {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.proc
}

// RecvMessage takes the oldest message in p's mailbox, waiting at most timeout for one
// (negative: until ctx ends; zero: ErrNoMessage at once when the mailbox is empty).
func (p *Process) RecvMessage(ctx context.Context, timeout time.Duration) (_ Message, err error) {
	defer p.startCall("msg_recv").end(&err)
	if _, err := p.Authorize(ctx, "msg_recv", noArgs); err != nil {
		return Message{}, err
	}
	p.count()
	queue := p.fam.box.queue()
	select {
	case m := <-queue:
		return m, nil
	default:
	}
	if timeout == 0 {
		return Message{}, fmt.Errorf("msg_recv: %w", ErrNoMessage)
	}
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	p.block()
	defer p.unblock()
	select {
	case m := <-queue:
		return m, nil
	case <-ctx.Done():
		return Message{}, fmt.Errorf("msg_recv: %w", ctx.Err())
	case <-timer:
		return Message{}, fmt.Errorf("msg_recv: no message within %s: %w", timeout, context.DeadlineExceeded)
	}
}
