// Package sqlitedb opens the SQLite databases that hold aios's persistent state (audit log,
// memory, storage, quota ledger, journal), all in one way:
//
//   - write-ahead logging (journal_mode WAL), so readers never block the writer;
//   - synchronous FULL, so a transaction whose commit returned survives a crash of the process
//     or the machine;
//   - a busy timeout, so a writer waits for another one instead of failing with SQLITE_BUSY;
//   - transactions begin IMMEDIATE (read-only ones excepted), so a transaction that reads and
//     then writes takes the write lock first and never fails half-way with SQLITE_BUSY_SNAPSHOT;
//   - schema migrations numbered by PRAGMA user_version.
//
// Every opener of a store passes its migrations in order; Open applies the ones the file has not
// seen yet, each in its own write transaction together with the new user_version, so a crash
// leaves the store at one version or the next, never between. A store written by a newer aios
// (user_version beyond the migrations known) is refused with ErrNewerSchema rather than misread.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNewerSchema is returned by Open for a store whose schema version is beyond its migrations.
var ErrNewerSchema = errors.New("store was written by a newer aios")

// BusyTimeout is how long a connection waits for another writer's lock before failing.
const BusyTimeout = 10 * time.Second

// MaxOpenConns bounds the connections of one store's pool (each holds its own page cache);
// callers beyond it wait for one to come free. Readers share the store through WAL; writers
// take turns on SQLite's write lock whatever the pool size.
const MaxOpenConns = 8

// Migration brings a store's schema from one version to the next. It runs inside the write
// transaction that also records the new version.
type Migration func(ctx context.Context, tx *sql.Tx) error

// Exec returns a Migration that runs the SQL statements in stmts.
func Exec(stmts string) Migration {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, stmts)
		return err
	}
}

// Open opens or creates the SQLite store at path and brings its schema to version
// len(migrations): migrations[i] takes a store from version i to version i+1. Paths may hold any
// character, '?' and '#' included.
func Open(ctx context.Context, path string, migrations []Migration) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	if strings.ContainsRune(path, 0) {
		return nil, fmt.Errorf("open store %q: the path contains a NUL byte", path)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.SetMaxOpenConns(MaxOpenConns)
	db.SetMaxIdleConns(MaxOpenConns)
	if err := prepare(ctx, db, migrations); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// dsn is the driver's name for path: a SQLite URI (the driver passes it whole, with
// SQLITE_OPEN_URI) whose path is percent-escaped, so that '?', '#' and '%' in a file name stay
// part of the name, followed by the connection settings every store shares.
func dsn(path string) string {
	// Clean turns a leading "//" into "/", which a URI would otherwise read as an authority.
	esc := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(filepath.Clean(path))
	return "file:" + esc + "?_txlock=immediate" +
		fmt.Sprintf("&_pragma=busy_timeout(%d)", BusyTimeout.Milliseconds()) +
		"&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)" +
		// journal_size_limit truncates the write-ahead log back to 4 MiB after a checkpoint,
		// which it otherwise keeps at its largest size.
		"&_pragma=journal_size_limit(4194304)"
}

// prepare switches the store to WAL (a setting the file keeps) and migrates it. Both need the
// write lock, and SQLite refuses a lock at once, without waiting for the busy timeout, to a
// connection that would otherwise deadlock with another: that happens when several processes
// or pools open a new store together. prepare retries those refusals for up to BusyTimeout.
// A store already in WAL mode at the current version, the usual case, is only read: opening it
// never waits for the write lock, however many processes write to it or open it at once.
func prepare(ctx context.Context, db *sql.DB, migrations []Migration) error {
	if current(ctx, db, len(migrations)) {
		return nil
	}
	deadline := time.Now().Add(BusyTimeout)
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		err := useWAL(ctx, db)
		if err == nil {
			err = migrate(ctx, db, migrations)
		}
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (while waiting out: %v)", ctx.Err(), err)
		}
	}
}

// current reports whether the store is in WAL mode at schema version want, reading both without
// the write lock. Any doubt (an error, another mode, another version) is false: prepare then
// does the work under the lock, where it is decided exactly.
func current(ctx context.Context, db *sql.DB, want int) bool {
	var mode string
	var v int
	return db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode) == nil && strings.EqualFold(mode, "wal") &&
		db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v) == nil && v == want
}

// useWAL puts the store in write-ahead-log mode.
func useWAL(ctx context.Context, db *sql.DB) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("switch to WAL: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("switch to WAL: the store stays in journal mode %q", mode)
	}
	return nil
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// migrate applies the migrations the store has not seen, one write transaction each. The version
// is read inside the transaction (which holds the write lock from its start), so two processes
// opening one new store apply each migration once.
func migrate(ctx context.Context, db *sql.DB, migrations []Migration) error {
	for {
		done, err := migrateOne(ctx, db, migrations)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration the store needs, or reports done when it needs none.
func migrateOne(ctx context.Context, db *sql.DB, migrations []Migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case v > len(migrations):
		return false, fmt.Errorf("%w: schema version %d, this aios understands up to %d", ErrNewerSchema, v, len(migrations))
	case v < 0:
		return false, fmt.Errorf("schema version %d is negative", v)
	case v == len(migrations):
		return true, tx.Rollback()
	}
	if err := migrations[v](ctx, tx); err != nil {
		return false, fmt.Errorf("migrate schema from version %d to %d: %w", v, v+1, err)
	}
	// PRAGMA takes no parameters; v+1 is an int of ours.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, fmt.Errorf("write schema version %d: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit schema version %d: %w", v+1, err)
	}
	return false, nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns nil when it reports "ok", or an error
// listing the problems it found.
func IntegrityCheck(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		problems = append(problems, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) == 1 && problems[0] == "ok" {
		return nil
	}
	return fmt.Errorf("integrity check failed: %s", strings.Join(problems, "; "))
}
