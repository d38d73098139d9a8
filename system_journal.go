package aios

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/limits"
)

// JournalDir is the directory of the data directory that holds the journals of durable runs.
const JournalDir = "journal"

// ErrModuleMismatch is returned by Replay for a module other than the one the run recorded.
var ErrModuleMismatch = errors.New("the module is not the one the run recorded")

// ErrABIMismatch is returned by Replay for a run recorded by a host of another ABI version,
// whose calls may behave differently here.
var ErrABIMismatch = errors.New("the run was recorded under another ABI version")

// abiString is this host's ABI version as a run records it.
func abiString() string { return fmt.Sprintf("%d.%d", hostcalls.ABIMajor, hostcalls.ABIMinor) }

// recordedMinor is the minor version of a run recorded under ABI abi ("1.3"), if this host can
// replay it: the same major version and a minor no higher than its own, as a host of that
// minor version the agent then negotiates with (hostcalls.Guest.LimitABI).
func recordedMinor(abi string) (uint32, error) {
	major, minor, ok := strings.Cut(abi, ".")
	ma, err1 := strconv.ParseUint(major, 10, 32)
	mi, err2 := strconv.ParseUint(minor, 10, 32)
	if !ok || err1 != nil || err2 != nil || ma != hostcalls.ABIMajor || mi > hostcalls.ABIMinor {
		return 0, fmt.Errorf("%w: %q, this host implements %s and replays %d.0 to %s", ErrABIMismatch,
			abi, abiString(), hostcalls.ABIMajor, abiString())
	}
	return uint32(mi), nil
}

// Digest returns the agent module's digest, "sha256:" and hex, as a durable run records it.
func (a *Agent) Digest() string { return a.digest }

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// RunDurable runs the agent once like Run, journaling every journaled system call in store
// (docs/DURABLE.md). rec names the run: its ID (journal.NewID when empty) and Module (where
// the module came from) are the caller's; RunDurable fills in the rest from the agent and o,
// saves the record before the agent starts and again, with how it ended, after. o.Seed is
// drawn when zero; o.Journal must be nil.
//
// It returns the run's record as last saved. The error is for failures to journal or start
// the run; a call that cannot be journaled ends the agent with a trap, never unrecorded.
//
// A record BeginDurable saved (status running) is kept as it is, with the options it returned.
//
// A run whose record names a restart policy (rec.Restart; else the system's [durable]
// restart) is restarted when it fails, as docs/DURABLE.md says ("Restart policies"): its
// journal is cut back before its last failed call and it is re-executed from there after a
// backoff that o.Events is told of, until it succeeds or the policy gives up.
func (a *Agent) RunDurable(ctx context.Context, store *journal.Store, rec journal.Run, o RunOptions) (*Result, journal.Run, error) {
	if rec.Status != journal.Running {
		var err error
		if rec, o, err = a.BeginDurable(store, rec, o); err != nil {
			return nil, rec, err
		}
	}
	return a.attempts(ctx, store, rec, o, false)
}

// attempt runs one attempt of durable run rec: the calls its journal holds are answered from
// it (none for a new run, when resumed is false), then it goes on live, journaling on. It
// returns how many calls the journal holds at the end and whether the attempt named store
// writes by their keys.
func (a *Agent) attempt(ctx context.Context, store *journal.Store, rec journal.Run, o RunOptions, resumed bool) (*Result, int, bool, error) {
	var calls []*hostcalls.Call
	if resumed {
		var err error
		if calls, err = JournalCalls(store, rec.ID); err != nil {
			return nil, 0, false, err
		}
	}
	w, err := store.OpenWriter(rec.ID) // cuts a record torn by a crash
	if err != nil {
		return nil, 0, false, err
	}
	defer w.Close()
	rj, keys := &resumeJournal{calls: calls, rec: recordingJournal{w: w, n: len(calls), store: store}}, keysOf(rec)
	// The agent's name is its argv[0]: a resumed run runs under the recorded one.
	named := *a
	named.name = rec.Name
	o.Tenant, o.Input, o.Args, o.Env, o.Limits, o.Seed = rec.Tenant, rec.Input, rec.Args, rec.Env, rec.Limits, rec.Seed
	o.Journal, o.spent = keyedJournal{rj, keys}, a.spentIn(calls)
	res, err := named.Run(ctx, o)
	return res, rj.rec.n, keys.used.Load(), err
}

// BeginDurable saves the record of a durable run about to start, as RunDurable does first,
// and returns it with the options to run it with: from then on the run is resumable
// (Interrupted lists it) even if the process ends before RunDurable is called with them. A
// server calls it before it answers that a run started.
func (a *Agent) BeginDurable(store *journal.Store, rec journal.Run, o RunOptions) (journal.Run, RunOptions, error) {
	if o.Journal != nil {
		return rec, o, errors.New("run durable: the options already carry a journal")
	}
	if rec.ID == "" {
		rec.ID = journal.NewID()
	}
	for o.Seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		o.Seed = binary.LittleEndian.Uint64(b[:])
	}
	o.Limits = o.Limits.Or(a.sys.cfg.Limits).Or(limits.Defaults())
	rec.Created = time.Now().UTC()
	rec.Digest, rec.Name, rec.Engine = a.digest, a.name, a.sys.Engine()
	rec.Input, rec.Args, rec.Env, rec.Tenant = o.Input, o.Args, o.Env, o.Tenant
	rec.Seed, rec.Limits, rec.ABI = o.Seed, o.Limits, abiString()
	rec.Status, rec.Attempt = journal.Running, 1
	var err error
	if rec.Restart, err = a.sys.restartPolicy(rec.Restart); err != nil {
		return rec, o, err
	}
	return rec, o, store.SaveRun(rec)
}

// endRecord saves how a durable run ended, after calls journaled calls, and returns the
// record. A record that cannot be saved leaves the run "running": resumable, not lost.
func endRecord(store *journal.Store, rec journal.Run, calls int, res *Result, err error) (journal.Run, error) {
	rec.Ended, rec.Calls = time.Now().UTC(), calls
	switch {
	case err != nil:
		rec.Status, rec.ExitCode, rec.Error = journal.Failed, -1, err.Error()
	case res.Err != nil:
		rec.Status, rec.ExitCode, rec.Error = journal.Failed, res.ExitCode, res.Err.Error()
		rec.Output = digestOf(res.Output)
	default:
		rec.Status, rec.ExitCode, rec.Output = journal.Finished, res.ExitCode, digestOf(res.Output)
	}
	return rec, store.SaveRun(rec)
}

// recordingJournal appends every call to a run's journal; it never replays.
type recordingJournal struct {
	w     *journal.Writer
	n     int
	store *journal.Store // w's store, where the run's children are journaled too
}

func (j *recordingJournal) Next(string, string) (*hostcalls.Call, error) { return nil, nil }

func (j *recordingJournal) Record(c *hostcalls.Call) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := j.w.Append(b); err != nil {
		return err
	}
	j.n++
	return nil
}

// JournalCalls returns the journaled calls of run id in order. A record that cannot be decoded
// ends the list, as a torn one does.
func JournalCalls(store *journal.Store, id string) ([]*hostcalls.Call, error) {
	recs, err := store.Records(id)
	if err != nil {
		return nil, err
	}
	calls := make([]*hostcalls.Call, 0, len(recs))
	for _, r := range recs {
		c := new(hostcalls.Call)
		if json.Unmarshal(r, c) != nil {
			break
		}
		calls = append(calls, c)
	}
	return calls, nil
}

// ReplayReport is what a replay found.
type ReplayReport struct {
	Run journal.Run
	// Calls is how many journaled calls the journal holds, Replayed how many the replay made.
	Calls, Replayed int
	// Divergence is the first difference between the replay and the journal; nil when the
	// replay was identical.
	Divergence *hostcalls.DivergenceError
	// Result is how the replayed run ended.
	Result *Result
}

// Identical reports whether the replay made the journal's calls and ended as the run did.
func (r *ReplayReport) Identical() bool { return r.Divergence == nil }

// Replay re-executes run id of store from its journal: the journaled calls are answered from
// it, nothing is sent to a core, tool or store, and the first call that differs from the
// journal's ends the run (ReplayReport.Divergence). A module whose digest is not the recorded
// one is refused with ErrModuleMismatch.
func (a *Agent) Replay(ctx context.Context, store *journal.Store, id string) (*ReplayReport, error) {
	rec, err := store.Run(id)
	if err != nil {
		return nil, err
	}
	if rec.Digest != a.digest {
		return nil, fmt.Errorf("replay %s: %w: it recorded %s (%s), this is %s", id, ErrModuleMismatch, rec.Digest, rec.Module, a.digest)
	}
	if _, err := recordedMinor(rec.ABI); err != nil {
		return nil, fmt.Errorf("replay %s: %w", id, err)
	}
	calls, err := JournalCalls(store, id)
	if err != nil {
		return nil, err
	}
	rj := &replayJournal{calls: calls}
	// The agent's name is its argv[0]: the replay runs under the recorded one, whatever
	// name the module was loaded as.
	named := *a
	named.name = rec.Name
	res, err := named.Run(ctx, RunOptions{Tenant: rec.Tenant, Input: rec.Input, Args: rec.Args, Env: rec.Env,
		Limits: rec.Limits, Seed: rec.Seed, Journal: rj, abi: rec.ABI})
	if err != nil {
		return nil, fmt.Errorf("replay %s: %w", id, err)
	}
	rep := &ReplayReport{Run: rec, Calls: len(calls), Replayed: rj.next, Result: res}
	rep.Divergence = divergence(rec, calls, rj.next, res)
	return rep, nil
}

// divergence finds how a replay that made next calls and ended with res differs from rec.
func divergence(rec journal.Run, calls []*hostcalls.Call, next int, res *Result) *hostcalls.DivergenceError {
	var d *hostcalls.DivergenceError
	switch {
	case errors.As(res.Err, &d):
		return d
	case next < len(calls):
		c := calls[next]
		return &hostcalls.DivergenceError{Index: next, Name: c.Name, Expected: "call " + c.Name, Got: "the run ended"}
	case rec.Status == journal.Running:
		return nil // the run never ended: its journal is all there is to compare
	case res.ExitCode != rec.ExitCode:
		return &hostcalls.DivergenceError{Index: next, Name: "exit", Expected: fmt.Sprintf("exit code %d", rec.ExitCode), Got: fmt.Sprintf("exit code %d", res.ExitCode)}
	case digestOf(res.Output) != rec.Output && rec.Output != "":
		return &hostcalls.DivergenceError{Index: next, Name: "output", Expected: "output " + rec.Output, Got: "output " + digestOf(res.Output)}
	}
	return nil
}

// replayJournal answers every journaled call from the journal and refuses to go live.
type replayJournal struct {
	calls []*hostcalls.Call
	next  int
}

func (j *replayJournal) Next(_, name string) (*hostcalls.Call, error) {
	if j.next >= len(j.calls) {
		return nil, &hostcalls.DivergenceError{Index: j.next, Name: name,
			Expected: fmt.Sprintf("the end of the journal (%d calls)", len(j.calls)), Got: "call " + name}
	}
	j.next++
	return j.calls[j.next-1], nil
}

func (j *replayJournal) Record(*hostcalls.Call) error {
	return errors.New("a replay records nothing") // Next never lets a call go live
}
