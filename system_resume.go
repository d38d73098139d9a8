package aios

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/journal"
)

// ErrNotResumable is returned by Resume for a run that already ended.
var ErrNotResumable = errors.New("the run already ended")

// ErrResumeLimit is returned by Resume for a run that was resumed MaxResumes times and
// crashed again each time; Resume marks it failed instead of trying once more.
var ErrResumeLimit = errors.New("the run keeps crashing on resume")

// MaxResumes is how many times a run is resumed before a run that keeps crashing is marked
// failed, unless [durable] max_resumes says otherwise.
const MaxResumes = 3

// Resume continues run id of store, interrupted by a crash of the process that ran it: the
// agent is re-executed from the start with the run's record, its journaled calls are answered
// from the journal without contacting any core, tool or store, and from the first call past the
// journal's end it runs live, journaling on. No call whose result was journaled is made again.
//
// o supplies what a record does not keep (Events, Identity, Confirm, Approve, Priority); its
// input, arguments, environment, limits, seed and journal are the run's. A module whose digest
// is not the recorded one is refused with ErrModuleMismatch, a run that ended with
// ErrNotResumable, and a run already resumed MaxResumes times (or [durable] max_resumes) is
// marked failed and refused with ErrResumeLimit. A run whose policy restarts it after a
// failure waits for its restart time and is restarted (not counted as a resume), and Resume
// goes on restarting it as its policy says (see RunDurable).
func (a *Agent) Resume(ctx context.Context, store *journal.Store, id string, o RunOptions) (*Result, journal.Run, error) {
	rec, err := store.Run(id)
	if err != nil {
		return nil, rec, err
	}
	switch {
	case rec.Digest != a.digest:
		return nil, rec, fmt.Errorf("resume %s: %w: it recorded %s (%s), this is %s", id, ErrModuleMismatch, rec.Digest, rec.Module, a.digest)
	case rec.Status != journal.Running:
		return nil, rec, fmt.Errorf("resume %s: %w (%s, exit code %d)", id, ErrNotResumable, rec.Status, rec.ExitCode)
	case rec.Parent != "":
		return nil, rec, fmt.Errorf("resume %s: %w: it is a child of run %s, and resumes with it", id, ErrNotResumable, rec.Parent)
	}
	if _, err := recordedMinor(rec.ABI); err != nil {
		return nil, rec, fmt.Errorf("resume %s: %w", id, err)
	}
	o.abi = rec.ABI
	if !rec.RestartAt.IsZero() {
		// A restart the policy scheduled (its journal already cut back): not a crash of the
		// run, so not counted; attempts waits for RestartAt first.
		return a.attempts(ctx, store, rec, o, true)
	}
	if limit := a.sys.maxResumes(); rec.Resumes >= limit {
		rec.Status, rec.ExitCode, rec.Ended = journal.Failed, -1, time.Now().UTC()
		rec.Error = fmt.Sprintf("resumed %d times and never ended; not resumed again", rec.Resumes)
		if err := store.SaveRun(rec); err != nil {
			return nil, rec, err
		}
		a.forgetWrites(rec.ID)
		return nil, rec, fmt.Errorf("resume %s: %w: %s", id, ErrResumeLimit, rec.Error)
	}
	rec.Resumes++ // counted before running, so that a resume that crashes counts too
	if err := store.SaveRun(rec); err != nil {
		return nil, rec, err
	}
	return a.attempts(ctx, store, rec, o, true)
}

// Interrupted returns the runs of store whose status is still running, oldest first: the ones
// whose process ended without ending them, for a restarted kernel to Resume. A child of a
// durable run is not among them: it resumes with its parent (docs/DURABLE.md, "Children").
func Interrupted(store *journal.Store) ([]journal.Run, error) {
	all, err := store.Runs()
	if err != nil {
		return nil, err
	}
	var runs []journal.Run
	for _, r := range all {
		if r.Status == journal.Running && r.Parent == "" { // a child resumes with its parent
			runs = append(runs, r)
		}
	}
	return runs, nil
}

// resumeJournal replays a run's journal, then records its live calls after it.
type resumeJournal struct {
	calls []*hostcalls.Call
	next  int
	rec   recordingJournal
}

func (j *resumeJournal) Next(string, string) (*hostcalls.Call, error) {
	if j.next < len(j.calls) {
		j.next++
		return j.calls[j.next-1], nil
	}
	return nil, nil
}

func (j *resumeJournal) Record(c *hostcalls.Call) error { return j.rec.Record(c) }
