package audit

import (
	"context"
	"fmt"
	"time"
)

// Retention bounds the audit log on disk. The zero value keeps everything.
//
// # Notes
//
// Enforcement runs on the writer goroutine between commits, so recording never waits for it
// unless the queue (4096 entries) fills meanwhile. Past MaxSize·7/8 of live pages the oldest
// entries are deleted down to MaxSize·3/4 and the freed pages are returned to the file system
// (incremental vacuum). The writer checks after every MaxSize/64 bytes of entries (at most 1
// MiB) and commits a larger batch in parts of that size, so the database file stays under
// MaxSize. The write-ahead log beside it (audit.db-wal) is checkpointed every 1000 pages and
// truncated back to 4 MiB after each checkpoint; it is the only slack over MaxSize.
type Retention struct {
	// MaxSize bounds the database file in bytes; 0 means no bound. A bound under MinMaxSize is
	// raised to it.
	MaxSize int64
	// MaxAge is how long entries are kept; 0 means for ever. Entries older are deleted at Open,
	// on Prune, and at most a minute after they expire while entries are being recorded.
	MaxAge time.Duration
}

// MinMaxSize is the smallest size bound Retention enforces.
const MinMaxSize = 1 << 20

// ageCheckInterval is how often the writer deletes expired entries while recording.
const ageCheckInterval = time.Minute

// Option configures Open.
type Option func(*options)

type options struct {
	retention     Retention
	now           func() time.Time
	loneEntryWait time.Duration
}

// WithRetention makes the log keep to r.
func WithRetention(r Retention) Option {
	return func(o *options) {
		if r.MaxSize > 0 {
			r.MaxSize = max(r.MaxSize, MinMaxSize)
		}
		r.MaxSize, r.MaxAge = max(r.MaxSize, 0), max(r.MaxAge, 0)
		o.retention = r
	}
}

// checkBytes is how many bytes of entries the writer commits between size checks.
func (r Retention) checkBytes() int64 {
	if r.MaxSize <= 0 {
		return 0
	}
	return min(r.MaxSize/64, 1<<20)
}

// retainer enforces a Retention on the writer's connection. It is not safe for concurrent use.
type retainer struct {
	ins     *inserter
	r       Retention
	now     func() time.Time
	pending int64     // bytes of entries committed since the last size check
	aged    time.Time // when expired entries were last deleted
}

// committed notes n bytes of entries committed and enforces the bounds when due.
func (t *retainer) committed(ctx context.Context, n int64) error {
	t.pending += n
	if t.r.MaxSize > 0 && t.pending >= t.r.checkBytes() {
		if err := t.enforceSize(ctx); err != nil {
			return err
		}
	}
	if t.r.MaxAge > 0 && t.now().Sub(t.aged) >= ageCheckInterval {
		return t.enforceAge(ctx)
	}
	return nil
}

// enforce applies both bounds now.
func (t *retainer) enforce(ctx context.Context) error {
	if err := t.enforceAge(ctx); err != nil {
		return err
	}
	return t.enforceSize(ctx)
}

// enforceAge deletes the entries older than MaxAge.
func (t *retainer) enforceAge(ctx context.Context) error {
	if t.r.MaxAge <= 0 {
		return nil
	}
	now := t.now()
	t.aged = now
	cutoff := now.Add(-t.r.MaxAge).UnixNano()
	res, err := t.ins.conn.ExecContext(ctx, "DELETE FROM decisions WHERE time_ns < ?", cutoff)
	if err != nil {
		return fmt.Errorf("audit retention: delete entries older than %v: %w", t.r.MaxAge, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil // nothing freed, nothing to give back
	}
	return t.vacuumOver(ctx, 0)
}

// enforceSize deletes the oldest entries when the live pages pass 7/8 of MaxSize, down to 3/4,
// and gives the freed pages back to the file system.
func (t *retainer) enforceSize(ctx context.Context) error {
	t.pending = 0
	if t.r.MaxSize <= 0 {
		return nil
	}
	high, low := t.r.MaxSize/8*7, t.r.MaxSize/4*3
	// The first pass estimates how many rows to delete from their average size; rows of very
	// different sizes can need a few more.
	for range 8 {
		s, err := t.ins.stats(ctx)
		if err != nil {
			return err
		}
		if s.used() <= high || s.rows == 0 {
			break
		}
		n := max(s.rows*(s.used()-low)/s.used(), 1)
		if _, err := t.ins.conn.ExecContext(ctx, "DELETE FROM decisions WHERE id < ?", s.minID+n); err != nil {
			return fmt.Errorf("audit retention: delete the oldest %d entries: %w", n, err)
		}
	}
	return t.vacuumOver(ctx, high)
}

// vacuumOver returns the free pages to the file system when the file is larger than limit
// bytes.
func (t *retainer) vacuumOver(ctx context.Context, limit int64) error {
	s, err := t.ins.stats(ctx)
	if err != nil {
		return err
	}
	if s.free == 0 || s.pages*s.pageSize <= limit {
		return nil
	}
	if _, err := t.ins.conn.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
		return fmt.Errorf("audit retention: vacuum: %w", err)
	}
	return nil
}

// storeStats describe the database file.
type storeStats struct {
	pages, free, pageSize int64
	minID, rows           int64 // rows estimates the entries from the range of their ids
}

// used is the bytes of pages in use.
func (s storeStats) used() int64 { return (s.pages - s.free) * s.pageSize }

func (ins *inserter) stats(ctx context.Context) (storeStats, error) {
	var s storeStats
	var minID, maxID *int64
	err := ins.conn.QueryRowContext(ctx, `SELECT (SELECT page_count FROM pragma_page_count()),
		(SELECT freelist_count FROM pragma_freelist_count()), (SELECT page_size FROM pragma_page_size()),
		(SELECT min(id) FROM decisions), (SELECT max(id) FROM decisions)`).Scan(&s.pages, &s.free, &s.pageSize, &minID, &maxID)
	if err != nil {
		return storeStats{}, fmt.Errorf("audit retention: read the store's size: %w", err)
	}
	if minID != nil && maxID != nil {
		s.minID, s.rows = *minID, *maxID-*minID+1
	}
	return s, nil
}

// withClock makes the log read time from now (tests).
func withClock(now func() time.Time) Option { return func(o *options) { o.now = now } }
