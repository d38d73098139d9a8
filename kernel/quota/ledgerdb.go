package quota

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/aiosys/aios/internal/sqlitedb"
)

// DefaultLease is how long a reservation in a ledger file outlives its process's last sign of
// life: a process renews the leases of its reservations every DefaultLease/4, and a reservation
// whose lease has lapsed (its process was killed, or is stopped) is deleted by the next Reserve
// of any process.
const DefaultLease = time.Minute

// WithLease sets how long a ledger file's reservations outlive their process (DefaultLease). A
// lease below a millisecond is a millisecond.
func WithLease(d time.Duration) Option {
	return func(l *Ledger) { l.lease = max(d, time.Millisecond) }
}

// ledgerSchema is the ledger file's schema. spent holds settled use by account and period
// ("all", "day:YYYY-MM-DD", "month:YYYY-MM", in UTC); reservations holds the calls in progress,
// each owned by one open ledger (a process) and held until expires (Unix nanoseconds) unless
// its owner renews it. Names are BLOBs so that any bytes name an account.
var ledgerSchema = []sqlitedb.Migration{sqlitedb.Exec(`
CREATE TABLE spent (
	scope  INTEGER NOT NULL,
	name   BLOB    NOT NULL,
	period TEXT    NOT NULL,
	tokens INTEGER NOT NULL,
	money  INTEGER NOT NULL,
	PRIMARY KEY (scope, name, period)
) WITHOUT ROWID;
CREATE TABLE reservations (
	id      INTEGER PRIMARY KEY,
	owner   TEXT    NOT NULL,
	expires INTEGER NOT NULL,
	agent   BLOB    NOT NULL,
	tenant  BLOB,
	tokens  INTEGER NOT NULL,
	money   INTEGER NOT NULL
);
CREATE INDEX reservations_agent ON reservations (agent);
CREATE INDEX reservations_tenant ON reservations (tenant) WHERE tenant IS NOT NULL;
CREATE INDEX reservations_expires ON reservations (expires);
CREATE INDEX reservations_owner ON reservations (owner);
`)}

// store is a ledger's file.
type store struct {
	// dbmu guards the connection: held for each transaction, after the ledger's mutex when
	// both are held. The writer holds only dbmu while it writes, so calls ending meanwhile
	// (Settle needs only the ledger's mutex) do not wait for the disk.
	dbmu  sync.Mutex
	db    *sql.DB              // of one connection
	stmts map[string]*sql.Stmt // prepared, by query
	owner string               // this ledger's name on its reservations
	lease time.Duration
	now   func() time.Time
	open  int   // reservations this ledger holds in the file
	err   error // the first settlement the file refused
	// pending are settlements not yet written; the writer (Ledger.writeSettlements) is kicked
	// when one is added. writing says the writer is writing a batch taken from pending; idle
	// is signalled when it is done. All under the ledger's mutex.
	pending []settlement
	kick    chan struct{}
	writing bool
	idle    *sync.Cond

	stop chan struct{}
	done sync.WaitGroup
}

// OpenLedger opens or creates the ledger file at path (quota.db in a data directory) and
// returns a ledger keeping the use of agents and tenants there, shared by every process that
// opens the file: each Reserve checks the room left and records its hold in one SQLite write
// transaction, so N processes charging one budget never overshoot it together. Settlements are
// written by a writer of the ledger's own, many in one transaction (see Reservation.Settle). Runs' accounts
// (Scope Run) stay in memory: a run lives in one process. Limits are set per process with
// SetLimit, as its configuration says; use is shared. A call is held in the file only while it
// is charged to an account this process limits (otherwise there is nothing to check, and the
// call costs one transaction, at Settle), so processes sharing a file must share their limits
// for the file to bound them together.
//
// Each reservation in the file carries a lease that its process renews while it is open (see
// DefaultLease). The reservations of a process that died without settling them are deleted once
// their lease lapses, so they hold budget for at most a lease. Close releases the reservations
// this ledger still holds and closes the file.
func OpenLedger(ctx context.Context, path string, opts ...Option) (*Ledger, error) {
	l := NewLedger(append([]Option{WithLease(DefaultLease)}, opts...)...)
	db, err := sqlitedb.Open(ctx, path, ledgerSchema)
	if err != nil {
		return nil, fmt.Errorf("quota ledger: %w", err)
	}
	// One connection does all the ledger's work (under l.mu), with synchronous NORMAL: in WAL
	// mode a commit then survives the death of its process, all that sharing a budget between
	// processes needs, without waiting for the disk, which would make every call pay two
	// flushes (docs/BENCHMARKS.md). A power loss may lose the last commits: use settled just
	// before it goes uncounted.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("quota ledger %s: %w", path, err)
	}
	var id [8]byte
	_, _ = rand.Read(id[:]) // never fails (crypto/rand)
	l.db = &store{db: db, stmts: map[string]*sql.Stmt{}, owner: fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(id[:])),
		lease: l.lease, now: l.now, stop: make(chan struct{}), kick: make(chan struct{}, 1), idle: sync.NewCond(&l.mu)}
	if err := l.db.prepare(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("quota ledger %s: %w", path, err)
	}
	l.db.done.Go(func() { l.renewLeases() })
	l.db.done.Go(func() { l.writeSettlements() })
	return l, nil
}

// writeSettlements writes the settlements of ended calls off their callers' path, until Close:
// those that end while a transaction is being written go together in the next one, so many
// calls share a commit.
func (l *Ledger) writeSettlements() {
	for {
		select {
		case <-l.db.stop:
			return
		case <-l.db.kick:
		}
		s := l.db
		l.mu.Lock()
		batch := s.pending
		s.pending, s.writing = nil, len(batch) > 0
		l.mu.Unlock()
		if len(batch) == 0 {
			continue
		}
		s.dbmu.Lock()
		err := s.settle(batch)
		s.dbmu.Unlock()
		l.mu.Lock()
		s.wrote(batch, err)
		s.writing = false
		s.idle.Broadcast()
		l.mu.Unlock()
	}
}

// Close ends a ledger opened by OpenLedger: it stops renewing leases, releases the reservations
// still held (their calls can no longer settle) and closes the file. It returns the first error
// of a settlement the file refused, if any. Close of a ledger in memory, or of nil, does nothing.
func (l *Ledger) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	s := l.db
	l.mu.Unlock()
	if s == nil {
		return nil
	}
	close(s.stop)
	s.done.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	s.flush()
	s.dbmu.Lock()
	defer s.dbmu.Unlock()
	_, err := s.stmts[releaseOwn].Exec(s.owner)
	if err != nil {
		err = fmt.Errorf("quota ledger: release the reservations still held: %w", err)
	}
	return errors.Join(s.err, err, s.db.Close()) // closing the pool closes its statements
}

// renewLeases extends the leases of the reservations this ledger holds, every quarter lease,
// until Close.
func (l *Ledger) renewLeases() {
	t := time.NewTicker(l.db.lease / 4)
	defer t.Stop()
	for {
		select {
		case <-l.db.stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		open := l.db.open
		l.mu.Unlock()
		if open > 0 {
			// A failed renewal is retried at the next tick; a lease spans four.
			l.db.dbmu.Lock()
			_, _ = l.db.stmts[renew].Exec(l.db.expiry(), l.db.owner)
			l.db.dbmu.Unlock()
		}
	}
}

// expiry is the end of a lease taken or renewed now, in Unix nanoseconds.
func (s *store) expiry() int64 { return s.now().Add(s.lease).UnixNano() }

// exec runs query in tx as a statement prepared once for the ledger's life: preparing costs
// as much as running.
func (s *store) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// query is exec for a query that returns rows.
func (s *store) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

// prepared returns the statement of query, prepared at open.
func (s *store) prepared(_ context.Context, query string) (*sql.Stmt, error) {
	st, ok := s.stmts[query]
	if !ok {
		return nil, fmt.Errorf("statement not prepared: %s", query)
	}
	return st, nil
}

// prepare prepares every statement of the ledger file. It must run before any transaction: the
// pool's one connection would be busy.
func (s *store) prepare(ctx context.Context) error {
	for _, q := range statements {
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		s.stmts[q] = st
	}
	return nil
}
