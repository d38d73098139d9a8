package audit

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestRetentionSizeCapUnderBurst records about 8 MiB of entries from four goroutines into a log
// capped at 1 MiB: the database file never passes the cap, and the newest entries survive.
func TestRetentionSizeCapUnderBurst(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	l, err := Open(ctx, path, WithRetention(Retention{MaxSize: 1 << 20}))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const writers, rounds, perRound = 4, 10, 50
	payload := strings.Repeat("x", 3500)
	largest := int64(0)
	for round := range rounds {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range perRound {
					e := entry(fmt.Sprint("w", w), "tool_call", false, time.Now())
					e.Args = map[string]any{"body": payload, "n": fmt.Sprint(round, "/", i)}
					if err := l.Record(ctx, e); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err := l.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		largest = max(largest, fileSize(t, path))
	}
	if largest > 1<<20 {
		t.Errorf("audit.db reached %d bytes, over its 1 MiB cap", largest)
	}
	got, err := l.Query(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || len(got) >= writers*rounds*perRound {
		t.Fatalf("%d of %d entries kept, want some but not all", len(got), writers*rounds*perRound)
	}
	if n := got[len(got)-1].Args["n"]; n != fmt.Sprint(rounds-1, "/", perRound-1) {
		t.Errorf("newest kept entry is %v, want the last recorded", n)
	}
}

// TestRetentionAge deletes entries older than MaxAge at Open and on Prune, and keeps the rest.
func TestRetentionAge(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	now := time.Now()
	l := openLog(t, path)
	for _, age := range []time.Duration{72 * time.Hour, 30 * time.Hour, time.Hour} {
		if err := l.Record(ctx, entry(fmt.Sprint("age", age), "output", true, now.Add(-age))); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	clock := now
	open := func() *Log {
		l, err := Open(ctx, path, WithRetention(Retention{MaxAge: 48 * time.Hour}), withClock(func() time.Time { return clock }))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l = open()
	agents := func() []string {
		got, err := l.Query(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range got {
			names = append(names, e.Agent)
		}
		return names
	}
	if got := fmt.Sprint(agents()); got != "[age30h0m0s age1h0m0s]" {
		t.Errorf("after Open, kept %s, want the two younger than 48h", got)
	}
	clock = now.Add(20 * time.Hour)
	if err := l.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(agents()); got != "[age1h0m0s]" {
		t.Errorf("20h later, kept %s, want only the youngest", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateVersion1 opens a store written before retention (no incremental vacuum) and
// switches it, keeping its entries.
func TestMigrateVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, schema+`PRAGMA user_version = 1;
		INSERT INTO decisions (`+columns+`) VALUES (1, 'old', '', '', '', '', 'output', '{}', 1, 'ok', '{}', 0, 0);`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	l := openLog(t, path)
	defer l.Close()
	var vacuum int
	if err := l.db.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&vacuum); err != nil {
		t.Fatal(err)
	}
	got, err := l.Query(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if vacuum != autoVacuumIncremental || len(got) != 1 || got[0].Agent != "old" {
		t.Errorf("after migration auto_vacuum = %d and entries %v, want %d and the old entry", vacuum, got, autoVacuumIncremental)
	}
}
