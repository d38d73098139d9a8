package journal

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aiosys/aios/limits"
)

// Status is where a durable run is in its life.
type Status string

// The statuses of a run.
const (
	Running  Status = "running"  // started and not known to have ended: after a crash, resumable
	Finished Status = "finished" // the agent ended by itself (any exit code)
	Failed   Status = "failed"   // the host ended it: a trap, a limit, or a start refused
)

// Run is the record of a durable run: everything a replay needs besides the journaled calls.
type Run struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// Module is where the module came from (a file path or hub reference); Digest is its
	// "sha256:" digest, which a replay must match.
	Module string   `json:"module"`
	Digest string   `json:"digest"`
	Name   string   `json:"name"`
	Input  []byte   `json:"input"`
	Args   []string `json:"args,omitempty"`
	Env    []string `json:"env,omitempty"`
	Tenant string   `json:"tenant,omitempty"`
	// Seed is the process's random seed: random_get is derived from it, not journaled.
	Seed   uint64        `json:"seed"`
	Limits limits.Limits `json:"limits"`
	Engine string        `json:"engine"`
	// ABI is the aios ABI version of the host that recorded the run.
	ABI string `json:"abi"`

	Status   Status    `json:"status"`
	Ended    time.Time `json:"ended,omitzero"`
	ExitCode int       `json:"exit_code"`
	// Error is why the host ended the run, when it did.
	Error string `json:"error,omitempty"`
	// Output is the "sha256:" digest of the run's output, for a replay to compare.
	Output string `json:"output,omitempty"`
	// Calls is how many calls were journaled when the run ended.
	Calls int `json:"calls"`
	// Parent is the run id of the durable run that started this one as its child
	// (agent_spawn); empty for a run started by itself. Such a run is resumed through its
	// parent only.
	Parent string `json:"parent,omitempty"`
	// Resumes counts the times the run was resumed after a crash.
	Resumes int `json:"resumes,omitempty"`

	// Restart is the run's restart policy (docs/DURABLE.md, "Restart policies").
	Restart Restart `json:"restart,omitzero"`
	// Attempt numbers the run's attempts from 1: each restart adds one. Zero in a record
	// written before attempts were counted means 1.
	Attempt int `json:"attempt,omitempty"`
	// Restarts counts the times the run was restarted after it failed; Backoffs are the
	// delays waited before each, in order.
	Restarts int             `json:"restarts,omitempty"`
	Backoffs []time.Duration `json:"backoffs,omitempty"`
	// RestartAt, when set, is when the run, failed with Failure and its journal cut back, is
	// restarted: its status stays Running until then, so a crash meanwhile leaves it
	// resumable, and resuming it waits for RestartAt first.
	RestartAt time.Time `json:"restart_at,omitzero"`
	// Failure is the failure the run was last restarted after.
	Failure string `json:"failure,omitempty"`
}

const (
	runFile   = "run.json"
	callsFile = "calls.log"
)

// NewID returns a new run id: the time to the second, then random hex, so ids sort by start.
func NewID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// validID refuses an id that could name anything but a directory of the store.
func validID(id string) error {
	if id == "" || len(id) > 128 {
		return fmt.Errorf("run id %q: want 1 to 128 characters", id)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("run id %q: only letters, digits, '-' and '_' are allowed", id)
		}
	}
	return nil
}

// SaveRun writes r's record atomically (a temporary file renamed over the old one), creating
// the run's directory on first save.
func (s *Store) SaveRun(r Run) error {
	if err := validID(r.ID); err != nil {
		return err
	}
	dir := s.runDir(r.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	tmp, err := os.CreateTemp(dir, runFile+".*")
	if err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	if werr == nil && s.opts.Fsync {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(dir, runFile))
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save run %s: %w", r.ID, werr)
	}
	return nil
}

// Run returns the record of run id.
func (s *Store) Run(id string) (Run, error) {
	if err := validID(id); err != nil {
		return Run{}, err
	}
	b, err := os.ReadFile(filepath.Join(s.runDir(id), runFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Run{}, fmt.Errorf("run %s: %w in %s", id, ErrNotFound, s.dir)
	}
	if err != nil {
		return Run{}, fmt.Errorf("run %s: %w", id, err)
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return Run{}, fmt.Errorf("run %s: record %s is corrupt: %w", id, runFile, err)
	}
	return r, nil
}

// Runs returns the records of every run, oldest first. A directory without a readable record
// is skipped.
func (s *Store) Runs() ([]Run, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	var out []Run
	for _, e := range ents {
		if !e.IsDir() || validID(e.Name()) != nil {
			continue
		}
		if r, err := s.Run(e.Name()); err == nil {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Run) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// Records returns the intact records of run id's journal, in the order they were appended. A
// record torn by a crash at the end of the file is not returned.
func (s *Store) Records(id string) ([][]byte, error) {
	if err := validID(id); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(s.runDir(id), callsFile))
	if errors.Is(err, fs.ErrNotExist) {
		if _, rerr := s.Run(id); rerr != nil {
			return nil, rerr
		}
		return nil, nil // a run that made no journaled call
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	defer f.Close()
	recs, _, err := readFrames(f)
	if err != nil {
		return nil, fmt.Errorf("run %s: read journal: %w", id, err)
	}
	return recs, nil
}
