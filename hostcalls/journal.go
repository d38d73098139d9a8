package hostcalls

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Journal is where a durable run's journaled calls go (recording) and come from (replay and
// resume). A Guest without one journals nothing; see Guest.SetJournal.
type Journal interface {
	// Next returns the recorded call that stands for the guest's next journaled call, which is
	// then replayed from it without running; nil when the call should run live (and be
	// recorded). An error ends the guest with it: a replay that must not go live says so here.
	// module and name are the call the guest is making.
	Next(module, name string) (*Call, error)
	// Record keeps a call that ran live. The guest sees the call's effects only after Record
	// returned nil; an error ends the guest, so an effect that was not journaled is never seen.
	Record(*Call) error
}

// Call is one journaled system call: what the guest asked and everything the call changed that
// the guest could observe.
type Call struct {
	// Index numbers the run's journaled calls from 0.
	Index  int    `json:"index"`
	Module string `json:"module"`
	Name   string `json:"name"`
	// Params are the call's parameters as the guest passed them.
	Params []uint64 `json:"params"`
	// Reads are the guest memory ranges the call read, and ReadSum the SHA-256 of their bytes
	// in that order: the request, so that a replay notices a guest that asks differently.
	Reads   []Span `json:"reads,omitempty"`
	ReadSum []byte `json:"read_sum,omitempty"`
	// Results are the values the call left on the stack (its errno).
	Results []uint64 `json:"results"`
	// Writes are the bytes the call wrote into guest memory, in order.
	Writes []Write `json:"writes,omitempty"`
	// Delivered are the results the call stored in the result table.
	Delivered []Delivered `json:"delivered,omitempty"`
	// LastError is the last error the call set (docs/ABI.md section 5), when it set one.
	LastError json.RawMessage `json:"last_error,omitempty"`
	// Submitted is, for a submit that started a call, the call's name and request, so that a
	// resumed run can start it again if it was in flight at the crash.
	Submitted *Submission `json:"submitted,omitempty"`
	// Mono is the monotonic clock's high-water mark after the call, in nanoseconds.
	Mono int64 `json:"mono,omitempty"`
	// Trap is the error that ended the guest in this call, if one did.
	Trap string `json:"trap,omitempty"`
	// Time is when the call started and Duration how long it took, live.
	Time     time.Time     `json:"time"`
	Duration time.Duration `json:"duration"`
}

// Submission is an asynchronous call as submit read it.
type Submission struct {
	Call    string `json:"call"`
	Request []byte `json:"request"`
}

// Span is a range of guest memory.
type Span struct {
	Off uint32 `json:"off"`
	Len uint32 `json:"len"`
}

// Write is bytes a call wrote into guest memory at Off.
type Write struct {
	Off  uint32 `json:"off"`
	Data []byte `json:"data"`
}

// Delivered is a result a call stored in the result table under RID.
type Delivered struct {
	RID  uint32 `json:"rid"`
	Body []byte `json:"body"`
}

// Errno returns the call's errno, the first result; 0 for a call that trapped.
func (c *Call) Errno() uint64 {
	if len(c.Results) == 0 {
		return 0
	}
	return c.Results[0]
}

// Bytes returns how many bytes the call wrote into the guest and the result table.
func (c *Call) Bytes() int {
	n := 0
	for _, w := range c.Writes {
		n += len(w.Data)
	}
	for _, d := range c.Delivered {
		n += len(d.Body)
	}
	return n
}

// SetJournal makes the guest journal its journaled calls in j (see Class). It must be called
// before the guest's first call. A nil j journals nothing.
func (g *Guest) SetJournal(j Journal) { g.journal = j }

// journaled wraps a Journaled call's handler so that, for a guest with a journal, it is
// recorded or replayed; a Local call's handler is returned as it is. Without a journal the
// wrapper costs one nil check.
func journaled(f Func) Handler {
	if ClassOf(f.Module, f.Name) != Journaled {
		return f.Handler
	}
	h := f.Handler
	return func(ctx context.Context, g *Guest, mem Memory, stack []uint64) error {
		if g == nil || g.journal == nil {
			return h(ctx, g, mem, stack)
		}
		if err := checkFrame(&f, g, mem, stack); err != nil {
			return err
		}
		rec, err := g.journal.Next(f.Module, f.Name)
		if err != nil {
			return err
		}
		if rec != nil {
			return g.replayCall(&f, rec, mem, stack)
		}
		g.goLive()
		return g.recordCall(ctx, &f, h, mem, stack)
	}
}

// recordCall runs a journaled call live and records it before the guest sees its effects.
func (g *Guest) recordCall(ctx context.Context, f *Func, h Handler, mem Memory, stack []uint64) error {
	c := &Call{Index: g.journalNext, Module: f.Module, Name: f.Name,
		Params: slices.Clone(stack[:len(f.Params)]), Time: time.Now()}
	rm := newRecordingMemory(mem, f.Name == "submit")
	ctx = withSpawnIndex(ctx, f.Name, c.Index) // names a durable run's child (aios_agents.go)
	g.mu.Lock()
	g.capture = c
	before := g.lastErr
	g.mu.Unlock()
	err := h(g.keyedContext(ctx, f.Name, c.Index), g, rm, stack)
	g.mu.Lock()
	g.capture = nil
	after := g.lastErr
	g.mu.Unlock()
	c.Duration = time.Since(c.Time)
	if after != before && after != nil {
		c.LastError, _ = json.Marshal(after) // a struct of strings and a number always encodes
	}
	if err != nil {
		c.Trap = err.Error()
	} else {
		c.Results = slices.Clone(stack[:len(f.Results)])
	}
	c.Reads, c.ReadSum, c.Writes = rm.reads, rm.sum(), rm.writes
	if f.Name == "submit" && len(c.Results) > 0 && Errno(c.Results[0]) == OK && len(rm.kept) == 2 {
		c.Submitted = &Submission{Call: string(rm.kept[0]), Request: rm.kept[1]}
	}
	c.Mono = g.mono.Load()
	g.journalNext++
	if jerr := g.journal.Record(c); jerr != nil {
		return fmt.Errorf("journal %s call %d: %w", f.Name, c.Index, jerr)
	}
	return err
}
