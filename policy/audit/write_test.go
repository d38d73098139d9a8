package audit

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// committedRows counts the entries committed to the store at path, read on a connection of its
// own, so without the Sync that Query makes first.
func committedRows(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM decisions").Scan(&n); err != nil {
		t.Fatalf("count committed entries: %v", err)
	}
	return n
}

// waitCommitted polls until some entry is committed to the store at path and returns how many
// are. The deadline only guards against a hang.
func waitCommitted(t *testing.T, path string) int {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if n := committedRows(t, path); n > 0 {
			return n
		}
	}
	t.Fatal("no entry was committed within a minute")
	return 0
}

func openWaiting(t *testing.T, path string, wait time.Duration) *Log {
	t.Helper()
	l, err := Open(context.Background(), path, withLoneEntryWait(wait))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

// A decision and its outcome recorded one after the other are committed together: the writer
// holds the first until the second arrives.
func TestLoneEntryWaitsForTheNext(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openWaiting(t, path, time.Hour)
	defer l.Close()
	t0 := time.Unix(1_700_000_000, 0)
	if err := l.Record(ctx, entry("a", "tool_call", true, t0)); err != nil {
		t.Fatal(err)
	}
	if n := committedRows(t, path); n != 0 {
		t.Fatalf("%d entries committed while the writer holds a lone one, want 0", n)
	}
	if err := l.Record(ctx, entry("a", "tool_result", true, t0.Add(time.Millisecond))); err != nil {
		t.Fatal(err)
	}
	if n := waitCommitted(t, path); n != 2 {
		t.Errorf("%d entries in the first commit, want both (2)", n)
	}
}

// A lone entry is committed once the wait passes, with nothing else recorded and no Sync.
func TestLoneEntryCommittedAfterTheWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openLog(t, path)
	defer l.Close()
	if err := l.Record(context.Background(), entry("a", "log", true, time.Now())); err != nil {
		t.Fatal(err)
	}
	if n := waitCommitted(t, path); n != 1 {
		t.Errorf("%d entries committed, want 1", n)
	}
}

// Sync, Prune and Close do not wait for a lone entry's wait to pass: each commits it at once.
func TestBarriersEndTheWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openWaiting(t, path, time.Hour)
	t0 := time.Unix(1_700_000_000, 0)
	steps := []struct {
		name    string
		barrier func() error
	}{
		{"Sync", func() error { return l.Sync(ctx) }},
		{"Prune", func() error { return l.Prune(ctx) }},
		{"Close", l.Close},
	}
	for i, s := range steps {
		if err := l.Record(ctx, entry("a", "log", true, t0.Add(time.Duration(i)))); err != nil {
			t.Fatal(err)
		}
		if err := s.barrier(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n := committedRows(t, path); n != i+1 {
			t.Errorf("after %s: %d entries committed, want %d", s.name, n, i+1)
		}
	}
}
