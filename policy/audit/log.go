package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ErrClosed is returned by a Log's methods after Close.
var ErrClosed = errors.New("audit log is closed")

// queueSize bounds the entries waiting for the writer; Record blocks beyond it.
const queueSize = 4096

// maxBatch bounds the entries committed in one transaction. A larger transaction shares one WAL
// fsync among more entries.
const maxBatch = 2048

// Log is the durable audit log, one SQLite database in WAL mode with synchronous=FULL. It is
// safe for concurrent use.
//
// # Durability
//
// Record queues an entry and returns without waiting for the disk, so deciding a system call
// never waits for an fsync. One writer goroutine commits whatever is queued as a single
// transaction, as often as the disk allows (group commit). When it finds a single entry queued,
// it waits up to a millisecond for another (a tool call's outcome follows its decision) so that
// both share one commit; a Sync, Prune or Close ends the wait. An entry is durable when a Sync
// or Close that began after its Record returns nil; a crash loses the entries not yet committed,
// which for a lone entry is for up to a millisecond plus one commit after its Record. Query
// syncs first, so it sees every entry recorded before it. If a commit fails, the error is
// sticky: every later Record, Sync, Query and Close returns it.
type Log struct {
	db   *sql.DB
	reqs chan request
	done chan struct{} // closed when the writer has stopped

	mu     sync.RWMutex // held shared while sending on reqs, exclusively to close it
	closed bool

	errMu sync.Mutex
	err   error // the first commit failure
}

// request is an entry to insert, or (ack non-nil) a barrier acknowledged after the commit of
// everything queued before it, which with prune also applies the retention first. The row
// travels by value, so queueing an entry allocates nothing beyond its strings.
type request struct {
	row   row
	ack   chan error
	prune bool
}

// Open opens or creates the audit store at path, applies the options and, with a Retention,
// deletes what it no longer keeps before returning.
func Open(ctx context.Context, path string, opts ...Option) (*Log, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open audit log %s: the path may not contain ? or #", path)
	}
	o := options{now: time.Now, loneEntryWait: loneEntryWait}
	for _, opt := range opts {
		opt(&o)
	}
	// journal_size_limit truncates the write-ahead log back to 4 MiB after each checkpoint,
	// which it otherwise keeps at its largest size.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)" +
		"&_pragma=journal_size_limit(4194304)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open audit log %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open audit log %s: %w", path, err)
	}
	ins, err := newInserter(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open audit log %s: %w", path, err)
	}
	ret := &retainer{ins: ins, r: o.retention, now: o.now}
	if err := ret.enforce(ctx); err != nil {
		ins.close()
		_ = db.Close()
		return nil, fmt.Errorf("open audit log %s: %w", path, err)
	}
	l := &Log{db: db, reqs: make(chan request, queueSize), done: make(chan struct{})}
	go l.write(ins, ret, o.loneEntryWait)
	return l, nil
}

// Record redacts e and queues it for the store; see Log for when it is durable. It blocks only
// while the queue is full, until ctx is done.
func (l *Log) Record(ctx context.Context, e Entry) error {
	r, err := newRow(e)
	if err != nil {
		return fmt.Errorf("audit record: %w", err)
	}
	return l.send(ctx, request{row: r})
}

// Sync waits until every entry recorded before it is committed to disk.
func (l *Log) Sync(ctx context.Context) error {
	ack := make(chan error, 1)
	if err := l.send(ctx, request{ack: ack}); err != nil {
		return err
	}
	select {
	case err := <-ack:
		return err
	case <-ctx.Done():
		return fmt.Errorf("audit sync: %w", ctx.Err())
	}
}

// Prune commits every entry recorded before it and then deletes what the log's Retention no
// longer keeps, without waiting for the writer's next periodic check.
func (l *Log) Prune(ctx context.Context) error {
	ack := make(chan error, 1)
	if err := l.send(ctx, request{ack: ack, prune: true}); err != nil {
		return err
	}
	select {
	case err := <-ack:
		return err
	case <-ctx.Done():
		return fmt.Errorf("audit prune: %w", ctx.Err())
	}
}

// Close commits every queued entry, stops the writer and closes the store.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closed = true
	close(l.reqs)
	l.mu.Unlock()
	<-l.done
	err := l.failure()
	if cerr := l.db.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close audit log: %w", cerr)
	}
	return err
}

func (l *Log) send(ctx context.Context, r request) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	if err := l.failure(); err != nil {
		return err
	}
	select {
	case l.reqs <- r:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("audit: %w", ctx.Err())
	}
}

func (l *Log) failure() error {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	return l.err
}

func (l *Log) fail(err error) {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if l.err == nil {
		l.err = err
	}
}
