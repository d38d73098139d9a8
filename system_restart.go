package aios

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel"
)

// restartPolicy returns r, the policy a durable run asked for, completed from the system's
// [durable] configuration and then journal's defaults: a run that names no policy takes the
// configured one, and zero counts and backoffs take the configured ones.
func (s *System) restartPolicy(r journal.Restart) (journal.Restart, error) {
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("run durable: %w", err)
	}
	def := s.cfg.Durable.Restart
	if r.Policy == "" {
		r.Policy = def.Policy
	}
	if r.MaxRestarts == 0 {
		r.MaxRestarts = def.MaxRestarts
	}
	if r.Backoff == 0 {
		r.Backoff = def.Backoff
	}
	if r.MaxBackoff == 0 {
		r.MaxBackoff = def.MaxBackoff
	}
	return r.OrDefaults(), nil
}

// maxResumes is how many times a run that keeps crashing is resumed ([durable] max_resumes).
func (s *System) maxResumes() int {
	if n := s.cfg.Durable.MaxResumes; n > 0 {
		return n
	}
	return MaxResumes
}

// attempts runs durable run rec until it ends for good: each attempt replays the run's
// journal (nothing for a new run) and goes on live; an attempt that fails is restarted as
// the run's policy says (docs/DURABLE.md, "Restart policies"). A record whose RestartAt is
// set waits for it first. resumed says the run ran before, in this process or another.
func (a *Agent) attempts(ctx context.Context, store *journal.Store, rec journal.Run, o RunOptions, resumed bool) (*Result, journal.Run, error) {
	var last *Result
	keyed := false // an attempt named store writes by their keys
	for {
		if !rec.RestartAt.IsZero() {
			if err := sleepUntil(ctx, rec.RestartAt); err != nil {
				rec.Status, rec.ExitCode, rec.Ended, rec.RestartAt = journal.Failed, -1, time.Now().UTC(), time.Time{}
				rec.Error = rec.Failure + "; canceled while waiting to restart"
				serr := store.SaveRun(rec)
				a.forgetWrites(rec.ID)
				if last == nil {
					return nil, rec, errors.Join(fmt.Errorf("run %s: %w", rec.ID, err), serr)
				}
				return last, rec, serr
			}
			rec.RestartAt = time.Time{}
			if err := store.SaveRun(rec); err != nil {
				return last, rec, err
			}
		}
		res, n, used, err := a.attempt(ctx, store, rec, o, resumed)
		resumed, keyed = resumed || n > 0, keyed || used
		next, delay, failure, serr := a.afterAttempt(ctx, store, rec, n, res, err)
		if next.Status != journal.Running {
			if serr == nil && (resumed || keyed) {
				a.forgetWrites(next.ID)
			}
			return res, next, errors.Join(err, serr)
		}
		if serr != nil {
			return res, next, errors.Join(err, serr) // still running: resumable
		}
		rec, last = next, res
		if o.Events != nil {
			var pid kernel.PID
			if res != nil {
				pid = res.PID
			}
			o.Events(kernel.Event{Kind: kernel.EventRetry, PID: pid, Name: rec.Name, Text: fmt.Sprintf(
				"restarted (attempt %d of %d) after: %s, in %v", rec.Attempt, rec.Restart.MaxRestarts+1, failure, delay)})
		}
	}
}

// afterAttempt saves how an attempt of rec that journaled n calls ended: the run's end, or,
// when its policy restarts it, its journal cut back before its last failed call and its
// record still running with the restart's time (RestartAt), delay and failure.
func (a *Agent) afterAttempt(ctx context.Context, store *journal.Store, rec journal.Run, n int, res *Result, err error) (journal.Run, time.Duration, string, error) {
	failure := failureOf(res, err)
	pol := rec.Restart.OrDefaults()
	if failure == "" || pol.Policy != journal.OnFailure || ctx.Err() != nil {
		rec, serr := endRecord(store, rec, n, res, err)
		return rec, 0, failure, serr
	}
	calls, cerr := JournalCalls(store, rec.ID)
	if cerr != nil {
		return rec, 0, failure, cerr // the run stays running: a resume tries again
	}
	cut := lastFailedCall(calls)
	switch {
	case cut < 0:
		rec, serr := failRecord(store, rec, n, res, failure+"; not restarted: its journal holds no failed call, so the failure is deterministic given the run's inputs")
		return rec, 0, failure, serr
	case rec.Restarts >= pol.MaxRestarts:
		rec, serr := failRecord(store, rec, n, res, fmt.Sprintf("%s; restarted %d times", failure, rec.Restarts))
		return rec, 0, failure, serr
	}
	// Cut first, then save: a crash between the two leaves a running record over a cut
	// journal, which a resume continues from the cut.
	if err := store.CutBack(rec.ID, cut); err != nil {
		return rec, 0, failure, err
	}
	rec.Restarts++
	rec.Attempt = max(rec.Attempt, 1) + 1
	delay := pol.Delay(rec.Restarts)
	rec.Backoffs = append(rec.Backoffs, delay)
	rec.RestartAt, rec.Failure, rec.Calls = time.Now().UTC().Add(delay), failure, cut
	return rec, delay, failure, store.SaveRun(rec)
}

// failureOf says why an attempt failed, on one line of at most 500 bytes; "" when it
// succeeded (exit code 0).
func failureOf(res *Result, err error) string {
	var s string
	switch {
	case err != nil:
		s = err.Error()
	case res.Err != nil:
		s = res.Err.Error()
	case res.ExitCode != 0:
		s = fmt.Sprintf("exit code %d", res.ExitCode)
	default:
		return ""
	}
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	if len(s) > 500 {
		s = strings.ToValidUTF8(s[:500], "") + "..."
	}
	return s
}

// failRecord ends rec failed with reason, whether the host ended the agent or it exited with
// a non-zero code: a run with a restart policy that is not restarted again has failed.
func failRecord(store *journal.Store, rec journal.Run, n int, res *Result, reason string) (journal.Run, error) {
	rec.Ended, rec.Calls, rec.RestartAt = time.Now().UTC(), n, time.Time{}
	rec.Status, rec.ExitCode, rec.Error = journal.Failed, -1, reason
	if res != nil {
		rec.ExitCode, rec.Output = res.ExitCode, digestOf(res.Output)
		if res.Err != nil {
			rec.ExitCode = -1
		}
	}
	return rec, store.SaveRun(rec)
}

// lastFailedCall returns the index of the last call of calls whose result was a failure that
// trying again may not repeat (the backend, a tool or a store failed, timed out, was canceled
// or rate limited, or the host faulted); -1 when none was.
func lastFailedCall(calls []*hostcalls.Call) int {
	for i := len(calls) - 1; i >= 0; i-- {
		if failedCall(calls[i]) {
			return i
		}
	}
	return -1
}

func failedCall(c *hostcalls.Call) bool {
	if c.Module != hostcalls.ModuleAIOS || c.Trap != "" || c.Name == "wait" {
		return false // a WASI errno is not the ABI's; wait's ETIMEDOUT is its answer
	}
	switch hostcalls.Errno(c.Errno()) {
	case hostcalls.EBACKEND, hostcalls.ETIMEDOUT, hostcalls.ECANCELED, hostcalls.EINTERNAL:
		return true
	case hostcalls.ELIMIT:
		return c.Name != "poll" // poll's ELIMIT is a result too large for its buffer
	}
	return false
}

// sleepUntil waits until t or until ctx is done, whichever is first.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
