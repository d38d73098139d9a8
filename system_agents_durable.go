package aios

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/runtime"
)

// The children of durable runs (docs/DURABLE.md, "Children"): a child that a durable run
// starts is a durable run too, with its own record and journal in the parent's store, under a
// run id derived from the parent's and the index of the spawn in the parent's journal, so
// that the replayed spawn of a resumed parent names the same child.

// ChildRunID is the run id of the child that durable run parent started with its journaled
// call index.
func ChildRunID(parent string, index int) string { return fmt.Sprintf("%s-c%d", parent, index) }

// durableParent is a durable run whose children are journaled too: its store and run id.
type durableParent struct {
	store *journal.Store
	id    string
}

// durableRunOf returns the store and run id of a durable run's journal, unwrapping the
// journal a run's options carry; false for a run that is not durable (or a replay).
func durableRunOf(j hostcalls.Journal) (durableParent, *resumeJournal, bool) {
	if k, ok := j.(keyedJournal); ok {
		j = k.Journal
	}
	switch j := j.(type) {
	case *resumeJournal:
		return durableParent{j.rec.store, j.rec.w.ID()}, j, j.rec.store != nil
	case *recordingJournal:
		return durableParent{j.store, j.w.ID()}, nil, j.store != nil
	}
	return durableParent{}, nil, false
}

// track notes the run of proc under lim with journal j (nil: none), for the children it
// starts, and returns how to forget it. The children of a durable run are journaled in its
// store; a resumed run is told the messages it received before the crash.
func (s *spawner) track(proc *kernel.Process, lim limits.Limits, j hostcalls.Journal) func() {
	pid := proc.PID()
	s.runs.Store(pid, lim)
	dp, rj, ok := durableRunOf(j)
	if ok {
		s.durable.Store(pid, dp)
	}
	if rj != nil {
		proc.NoteReceived(receivedIn(rj.calls))
	}
	return func() {
		s.runs.Delete(pid)
		s.durable.Delete(pid)
	}
}

func (s *spawner) durableOf(pid kernel.PID) (durableParent, bool) {
	v, ok := s.durable.Load(pid)
	if !ok {
		return durableParent{}, false
	}
	return v.(durableParent), true
}

// startDurable starts the child of durable parent dp that its journaled call index spawns:
// a new durable run, or, when the child's record is there and still running (the spawn ran
// before a crash that its own journal record did not survive), the child going on from its
// journal. A record that ended is a child of an attempt that a restart cut back: the child runs
// again from the start, in a new attempt of its own.
func (s *spawner) startDurable(ctx context.Context, dp durableParent, index int, module string, m childModule, spec kernel.Spec, lim limits.Limits) (*kernel.Process, error) {
	id := ChildRunID(dp.id, index)
	rec, err := dp.store.Run(id)
	attempt := 0
	if err == nil && rec.Status != journal.Running {
		if err := dp.store.CutBack(id, 0); err != nil {
			return nil, err
		}
		attempt, err = max(rec.Attempt, 1)+1, journal.ErrNotFound
	}
	switch {
	case errors.Is(err, journal.ErrNotFound):
		var seed uint64
		for seed == 0 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			seed = binary.LittleEndian.Uint64(b[:])
		}
		rec = journal.Run{ID: id, Parent: dp.id, Created: time.Now().UTC(), Module: module, Digest: m.digest,
			Name: spec.Name, Input: spec.Input, Args: spec.Args, Env: spec.Env, Tenant: spec.Tenant, Seed: seed,
			Limits: lim, Engine: s.sys.Engine(), ABI: abiString(), Status: journal.Running, Attempt: attempt}
		if err := dp.store.SaveRun(rec); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	proc, start, err := s.prepareDurable(ctx, dp.store, rec, m, spec)
	if err != nil {
		return nil, err
	}
	start()
	return proc, nil
}

// ResumeChild implements kernel.ChildResumer.
func (s *spawner) ResumeChild(ctx context.Context, parent *kernel.Process, index int, spec kernel.Spec) (*kernel.Process, string, func(), error) {
	dp, ok := s.durableOf(parent.PID())
	if !ok {
		return nil, "", nil, errors.New("its parent is not a durable run")
	}
	rec, err := dp.store.Run(ChildRunID(dp.id, index))
	if err != nil {
		return nil, "", nil, err
	}
	m, err := s.load(ctx, rec.Module)
	if err != nil {
		return nil, "", nil, err
	}
	spec.Budget = tighter(spec.Budget, m.budget)
	proc, start, err := s.prepareDurable(ctx, dp.store, rec, m, spec)
	return proc, rec.Module, start, err
}

// prepareDurable creates the process of durable child rec, not yet running, and returns how to
// start it: a child still running goes on from its journal, one that had ended is replayed to
// its recorded end, sending nothing and leaving its record as it is.
func (s *spawner) prepareDurable(ctx context.Context, store *journal.Store, rec journal.Run, m childModule, spec kernel.Spec) (*kernel.Process, func(), error) {
	if rec.Digest != m.digest {
		return nil, nil, fmt.Errorf("%w: child run %s recorded %s, the agents directory holds %s", ErrModuleMismatch, rec.ID, rec.Digest, m.digest)
	}
	spec.Name, spec.Input, spec.Args, spec.Env, spec.Seed = rec.Name, rec.Input, rec.Args, rec.Env, rec.Seed
	lim := rec.Limits
	spec.Limits = kernel.Limits{Log: lim.Log, Output: lim.Output}
	calls, err := JournalCalls(store, rec.ID)
	if err != nil {
		return nil, nil, err
	}
	var w *journal.Writer
	if rec.Status == journal.Running {
		if len(calls) > 0 {
			rec.Resumes++
			if err := store.SaveRun(rec); err != nil {
				return nil, nil, err
			}
		}
		if w, err = store.OpenWriter(rec.ID); err != nil { // cuts a record torn by a crash
			return nil, nil, err
		}
	}
	proc, err := s.sys.kernel.Spawn(spec)
	if err != nil {
		if w != nil {
			_ = w.Close()
		}
		return nil, nil, err
	}
	proc.NoteReceived(receivedIn(calls)) // before anyone can send it a copy
	// What the child spent before the crash counts in its budget, and its end charges it to its
	// parent's (bundle_budget.go, with the child's budget in place of a bundle's).
	charge := &Agent{sys: s.sys, budget: spec.Budget}
	if err := charge.chargeSpent(proc, charge.spentIn(calls)); err != nil {
		slog.Default().Warn("durable child: what it spent before the crash is not in its budget", slog.String("run", rec.ID), slog.String("error", err.Error()))
	}
	return proc, func() { go s.runDurable(ctx, proc, m.module, lim, store, rec, calls, w) }, nil
}

// runDurable runs durable child rec to its end, as run does: with w, from its journal on and
// journaling in w; without, replaying its journal to the end it recorded.
func (s *spawner) runDurable(ctx context.Context, proc *kernel.Process, m runtime.Module, lim limits.Limits,
	store *journal.Store, rec journal.Run, calls []*hostcalls.Call, w *journal.Writer) {
	var j hostcalls.Journal = &replayJournal{calls: calls}
	var rj *resumeJournal
	if w != nil {
		rj = &resumeJournal{calls: calls, rec: recordingJournal{w: w, n: len(calls), store: store}}
		j = keyedJournal{rj, keysOf(rec)}
	}
	untrack := s.track(proc, lim, j)
	g := hostcalls.NewGuest(proc, lim)
	if minor, err := recordedMinor(rec.ABI); err == nil {
		g.LimitABI(minor) // as its parent, a child negotiates as under the host that recorded it
	}
	g.SetJournal(j)
	_, err := m.Run(ctx, g, lim)
	g.Close()
	code, cause := exitOf(err)
	proc.Redeliver() // what a replayed child sent before the crash
	if w != nil {
		_, serr := endRecord(store, rec, rj.rec.n, &Result{ExitCode: code, Err: cause, Output: proc.OutputBytes()}, nil)
		_ = w.Close()
		if serr == nil {
			if ferr := s.sys.kernel.ForgetWrites(context.Background(), rec.ID); ferr != nil {
				slog.Default().Warn("durable child: its write keys were not removed", slog.String("run", rec.ID), slog.String("error", ferr.Error()))
			}
		}
	} else {
		code, cause = rec.ExitCode, nil
		if rec.Error != "" {
			cause = errors.New(rec.Error)
		}
	}
	proc.End(code, cause)
	untrack()
	s.sys.kernel.Reap(proc.PID())
}

// receivedIn counts the messages a run's journal shows it received, per sender.
func receivedIn(calls []*hostcalls.Call) map[kernel.PID]uint64 {
	n := map[kernel.PID]uint64{}
	for _, c := range calls {
		if from, ok := c.ReceivedFrom(); ok { // msg_recv and msg_recv_bytes
			n[from]++
		}
	}
	return n
}
