// Package journal stores the journals of durable runs: for each run, a record of what it is
// (module digest, input, arguments, seed, limits, status) and an append-only file of the
// system calls it made, written by one group-committing writer shared by every run of a
// kernel. aios replays and resumes runs from it (docs/DURABLE.md).
//
// A record Append returned for has been written with write(2): it survives SIGKILL of the
// process. With Options.Fsync it is also synced to the disk before Append returns, and survives
// a power loss. Records are framed with their length and a CRC-32C, so a record torn by a crash
// is never read back as a record.
package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// DefaultMaxRunBytes is the default bound on one run's journal file.
const DefaultMaxRunBytes = 64 << 20

// maxBatch bounds how many appends one group commit takes.
const maxBatch = 1024

// Options configure a Store. The zero value is the default: no fsync, DefaultMaxRunBytes.
type Options struct {
	// Fsync syncs every group commit to the disk before its appends return, so that a record
	// survives a power loss and not only a crash of the process. Off by default: a write(2)
	// that returned already survives SIGKILL.
	Fsync bool
	// MaxRunBytes bounds one run's journal file; an Append past it fails with ErrRunFull.
	// Zero is DefaultMaxRunBytes.
	MaxRunBytes int64
	// MaxAge, when positive, is how long a run's record and journal are kept after it ended:
	// the Store removes older ones when it opens and then periodically (Prune). Zero keeps
	// them until removed.
	MaxAge time.Duration
}

// ErrRunFull is returned by Append when a record would take a run's journal past
// Options.MaxRunBytes.
var ErrRunFull = errors.New("the run's journal is full")

// ErrNotFound is returned for a run that has no journal.
var ErrNotFound = errors.New("no such run")

// ErrClosed is returned by Append after the Store was closed.
var ErrClosed = errors.New("journal store is closed")

// Store is the journals of a data directory: one directory per run under Dir. It is safe for
// concurrent use.
type Store struct {
	dir  string
	opts Options
	reqs chan *appendReq

	mu     sync.RWMutex // guards closed against sends on reqs
	closed bool
	done   chan struct{} // closed when the writer goroutine has ended

	stopPrune chan struct{} // closed by Close to stop pruneLoop
	pruned    chan struct{} // closed when pruneLoop has ended; nil without Options.MaxAge
}

// Open opens the journals kept in dir (created if missing) and starts their writer. The caller
// must Close the Store.
func Open(dir string, o Options) (*Store, error) {
	if o.MaxRunBytes <= 0 {
		o.MaxRunBytes = DefaultMaxRunBytes
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open journals: %w", err)
	}
	s := &Store{dir: dir, opts: o, reqs: make(chan *appendReq, maxBatch), done: make(chan struct{})}
	go s.writeLoop()
	if o.MaxAge > 0 {
		s.stopPrune, s.pruned = make(chan struct{}), make(chan struct{})
		go s.pruneLoop()
	}
	return s, nil
}

// Dir returns the directory the Store keeps its journals in.
func (s *Store) Dir() string { return s.dir }

// Close stops the writer after the appends already queued are written. Appends after Close
// fail with ErrClosed. Writers stay readable but must be closed by their owners.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.mu.Unlock()
	<-s.done
	if s.pruned != nil {
		close(s.stopPrune)
		<-s.pruned
	}
	return nil
}

// runDir is where run id's files live. ids are checked by validID before they reach here.
func (s *Store) runDir(id string) string { return filepath.Join(s.dir, id) }
