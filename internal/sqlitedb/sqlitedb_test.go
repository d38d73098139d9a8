package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var countingSchema = []Migration{
	Exec(`CREATE TABLE applied (step INTEGER NOT NULL)`),
	Exec(`INSERT INTO applied (step) VALUES (1)`),
}

func steps(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM applied`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenAppliesEachMigrationOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := Open(ctx, path, countingSchema)
	if err != nil {
		t.Fatal(err)
	}
	if got := userVersion(t, db); got != 2 {
		t.Fatalf("user_version = %d, want 2", got)
	}
	db.Close()

	more := append(append([]Migration{}, countingSchema...), Exec(`INSERT INTO applied (step) VALUES (3)`))
	db, err = Open(ctx, path, more)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := userVersion(t, db); got != 3 {
		t.Fatalf("user_version = %d, want 3", got)
	}
	if got := steps(t, db); got != 2 {
		t.Fatalf("%d data migrations ran, want 2 (one per version)", got)
	}
}

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	const openers = 8
	dbs := make([]*sql.DB, openers)
	errs := make([]error, openers)
	var wg sync.WaitGroup
	for i := range openers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = Open(ctx, path, countingSchema)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("opener %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	if got := steps(t, dbs[0]); got != 1 {
		t.Fatalf("the data migration ran %d times, want once", got)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := Open(ctx, path, countingSchema)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, path, countingSchema[:1]); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("opening a version-2 store knowing 1 migration: %v, want ErrNewerSchema", err)
	}
}

func TestFailedMigrationKeepsTheOldVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	broken := []Migration{
		countingSchema[0],
		func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO applied (step) VALUES (2)`); err != nil {
				return err
			}
			return errors.New("boom")
		},
	}
	if _, err := Open(ctx, path, broken); err == nil {
		t.Fatal("a failing migration opened the store")
	}
	db, err := Open(ctx, path, countingSchema[:1])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := userVersion(t, db); got != 1 {
		t.Fatalf("user_version = %d after a failed step 2, want 1", got)
	}
	if got := steps(t, db); got != 0 {
		t.Fatalf("the failed migration left %d rows", got)
	}
}

func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := Open(ctx, path, countingSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	var sync, busy int
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`PRAGMA busy_timeout`).Scan(&busy); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 || busy != int(BusyTimeout.Milliseconds()) {
		t.Fatalf("journal_mode=%s synchronous=%d busy_timeout=%d, want wal 2 %d", mode, sync, busy, BusyTimeout.Milliseconds())
	}
	if got := db.Stats().MaxOpenConnections; got != MaxOpenConns {
		t.Fatalf("the pool allows %d connections, want %d", got, MaxOpenConns)
	}
	if err := IntegrityCheck(ctx, db); err != nil {
		t.Fatal(err)
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "a?b#c%20d&e.db")
	db, err := Open(ctx, path, countingSchema)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the store is not at the path asked for: %v", err)
	}
	if _, err := Open(ctx, "a\x00b", countingSchema); err == nil {
		t.Fatal("a path with NUL opened")
	}
}

// TestOpenCurrentStoreWhileAWriterHoldsTheLock: a store in WAL mode at its current version opens
// at once while another connection holds the write lock (a busy process), however long that
// lock is held; a store that needs a migration still waits for it.
func TestOpenCurrentStoreWhileAWriterHoldsTheLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	first, err := Open(ctx, path, countingSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	tx, err := first.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock, held until Rollback
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO applied (step) VALUES (9)`); err != nil {
		t.Fatal(err)
	}

	again, err := Open(ctx, path, countingSchema)
	if err != nil {
		t.Fatalf("open a current store while a writer holds the lock: %v", err)
	}
	if n := steps(t, again); n != 1 {
		t.Fatalf("%d steps seen, want 1 (the writer's row is not committed)", n)
	}
	again.Close()

	// One more migration needs the lock: the open waits for it, and the writer's end lets it go.
	longer := append(append([]Migration{}, countingSchema...), Exec(`INSERT INTO applied (step) VALUES (2)`))
	opened := make(chan error, 1)
	go func() {
		db, err := Open(ctx, path, longer)
		if err == nil {
			db.Close()
		}
		opened <- err
	}()
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-opened; err != nil {
		t.Fatalf("open with a migration after the writer ended: %v", err)
	}
}
