package storage

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiosys/aios/internal/sqlitedb"
)

// Version numbers the versions of one key: 1 for its first write, then 2, 3, …
type Version int64

// Revision describes one version of a key.
type Revision struct {
	Version Version
	Time    time.Time // when it was written, from Limits.Now
	Size    int64     // bytes of its value; 0 for a tombstone
	Deleted bool      // a tombstone, written by Delete (or by a Rollback to one)
}

// Item is a version of a key with its value.
type Item struct {
	Key string
	Revision
	Value []byte // empty for a tombstone
}

// Entry is a key as List sees it: its newest version, which is never a tombstone.
type Entry struct {
	Key string
	Revision
}

// Usage is what a space holds, as its quotas count it.
type Usage struct {
	Versions int64 // versions of all its keys, tombstones included
	Bytes    int64 // key plus value bytes of all those versions
}

// Store is the storage manager's store; see the package doc. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	limits Limits
	reqs   chan *writeRequest // writes for the writer goroutine; see write
	done   chan struct{}      // closed when the writer has stopped
	mu     sync.RWMutex       // held shared while sending on reqs, exclusively to close it
	closed atomic.Bool
}

// schema is the store's migrations (see internal/sqlitedb). Keys are BLOBs so that SQLite
// compares them byte by byte; times are Unix nanoseconds.
//
// versions holds every version; heads the newest version of each key, so that Get and List
// need not search history; usage each space's totals, which the quotas are checked against.
// The second migration adds write_keys, the write keys of durable runs (writekeys.go).
var schema = []sqlitedb.Migration{sqlitedb.Exec(`
CREATE TABLE versions (
	space   TEXT    NOT NULL,
	key     BLOB    NOT NULL,
	version INTEGER NOT NULL,
	time_ns INTEGER NOT NULL,
	deleted INTEGER NOT NULL,
	value   BLOB    NOT NULL,
	UNIQUE (space, key, version)
);
CREATE TABLE heads (
	space   TEXT    NOT NULL,
	key     BLOB    NOT NULL,
	version INTEGER NOT NULL,
	time_ns INTEGER NOT NULL,
	deleted INTEGER NOT NULL,
	size    INTEGER NOT NULL,
	PRIMARY KEY (space, key)
) WITHOUT ROWID;
CREATE TABLE usage (
	space    TEXT    NOT NULL PRIMARY KEY,
	versions INTEGER NOT NULL,
	bytes    INTEGER NOT NULL
) WITHOUT ROWID;
`), sqlitedb.Exec(writeKeysSchema)}

// Open opens or creates the store at path with limits (zero fields take their defaults).
func Open(ctx context.Context, path string, limits Limits) (*Store, error) {
	l, err := limits.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open storage %s: %w", path, err)
	}
	db, err := sqlitedb.Open(ctx, path, schema)
	if err != nil {
		return nil, fmt.Errorf("open storage: %w", err)
	}
	s := &Store{db: db, limits: l, reqs: make(chan *writeRequest, queueSize), done: make(chan struct{})}
	go s.run()
	return s, nil
}

// Limits returns the limits the store enforces, defaults filled in.
func (s *Store) Limits() Limits { return s.limits }

// Close commits the writes already queued, stops the writer and closes the store. Calls after
// it fail with ErrClosed; reads in flight may fail.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed.Swap(true) {
		s.mu.Unlock()
		return ErrClosed
	}
	close(s.reqs)
	s.mu.Unlock()
	<-s.done
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close storage: %w", err)
	}
	return nil
}

// open returns ErrClosed once Close has been called.
func (s *Store) open() error {
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// nanos is t as stored (Unix nanoseconds), clamped to what an int64 holds: UnixNano is undefined
// before 1678 and after 2262, and a clock or an agent may pass such times.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// fromNanos is the time of a stored time_ns.
func fromNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }
