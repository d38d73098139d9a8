package journal

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// saveEnded saves a run that ended at ended (Running when ended is zero) with a journal of one
// record, and returns its id.
func saveEnded(t *testing.T, s *Store, id string, ended time.Time) string {
	t.Helper()
	r := Run{ID: id, Status: Running, Created: ended.Add(-time.Minute)}
	if err := s.SaveRun(r); err != nil {
		t.Fatal(err)
	}
	w, err := s.OpenWriter(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append([]byte("call")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !ended.IsZero() {
		r.Status, r.Ended = Finished, ended
		if err := s.SaveRun(r); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func ids(t *testing.T, s *Store) []string {
	t.Helper()
	runs, err := s.Runs()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range runs {
		out = append(out, r.ID)
	}
	slices.Sort(out)
	return out
}

func TestRemoveDeletesAnEndedRunAndRefusesARunningOne(t *testing.T) {
	s := openStore(t, Options{})
	now := time.Now()
	done := saveEnded(t, s, "done", now)
	running := saveEnded(t, s, "running", time.Time{})

	if err := s.Remove(running); !errors.Is(err, ErrRunning) {
		t.Fatalf("remove a running run: %v, want ErrRunning", err)
	}
	if err := s.Remove(done); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(done); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed run still has a record: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), done)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("removed run's directory: %v", err)
	}
	if err := s.Remove(done); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove twice: %v, want ErrNotFound", err)
	}
	if err := s.Remove("../x"); err == nil {
		t.Fatal("an id naming another directory was accepted")
	}
	if got := ids(t, s); !slices.Equal(got, []string{running}) {
		t.Fatalf("runs left %v, want only %s", got, running)
	}
}

func TestPruneRemovesOnlyRunsThatEndedBeforeTheCutoff(t *testing.T) {
	s := openStore(t, Options{})
	now := time.Now()
	saveEnded(t, s, "old", now.Add(-48*time.Hour))
	saveEnded(t, s, "recent", now.Add(-time.Hour))
	saveEnded(t, s, "running", time.Time{})
	// A removal a crash interrupted: renamed away, not yet deleted.
	if err := os.MkdirAll(filepath.Join(s.Dir(), ".removed-gone", "x"), 0o700); err != nil {
		t.Fatal(err)
	}

	removed, err := s.Prune(now.Add(-24 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{"old"}) {
		t.Fatalf("pruned %v, want [old]", removed)
	}
	if got := ids(t, s); !slices.Equal(got, []string{"recent", "running"}) {
		t.Fatalf("runs left %v", got)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), ".removed-gone")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an interrupted removal was left: %v", err)
	}
}

func TestStoreWithMaxAgePrunesWhenItOpens(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	saveEnded(t, s, "old", now.Add(-48*time.Hour))
	saveEnded(t, s, "recent", now.Add(-time.Hour))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir, Options{MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The first prune runs as the store opens, beside the caller: wait for it (a hang guard,
	// not a bound on its time).
	deadline := time.Now().Add(time.Minute)
	for !slices.Equal(ids(t, s), []string{"recent"}) {
		if time.Now().After(deadline) {
			t.Fatalf("runs %v a minute after open, want [recent]", ids(t, s))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPruneEvery(t *testing.T) {
	for _, c := range []struct{ age, want time.Duration }{
		{time.Second, time.Minute},
		{time.Hour, 6 * time.Minute},
		{720 * time.Hour, time.Hour},
	} {
		if got := pruneEvery(c.age); got != c.want {
			t.Errorf("pruneEvery(%v) = %v, want %v", c.age, got, c.want)
		}
	}
}

func TestChildrenGoWithTheirParent(t *testing.T) {
	s := openStore(t, Options{})
	old := time.Now().Add(-48 * time.Hour)
	save := func(id, parent string, ended time.Time) {
		t.Helper()
		r := Run{ID: id, Parent: parent, Status: Running, Created: old}
		if !ended.IsZero() {
			r.Status, r.Ended = Finished, ended
		}
		if err := s.SaveRun(r); err != nil {
			t.Fatal(err)
		}
	}
	save("p1", "", old)            // ended, with a child and a grandchild that ended
	save("p1c", "p1", old)         //
	save("p1cc", "p1c", old)       //
	save("p2", "", time.Time{})    // still running: its ended child stays with it
	save("p2c", "p2", old)         //
	save("p3", "", old)            // ended, but a child still running (killed before its end was saved)
	save("p3c", "p3", time.Time{}) //
	save("orphan", "gone", old)    // its parent was removed by hand: pruned on its own
	save("loop", "loop", old)      // a record naming itself as parent: no loop

	if err := s.Remove("p2c"); !errors.Is(err, ErrRunning) {
		t.Fatalf("remove a child of a running parent: %v", err)
	}
	if err := s.Remove("p3"); !errors.Is(err, ErrRunning) {
		t.Fatalf("remove a parent with a running child: %v", err)
	}
	removed, err := s.Prune(time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	if want := []string{"loop", "orphan", "p1", "p1c", "p1cc"}; !slices.Equal(removed, want) {
		t.Fatalf("pruned %v, want %v", removed, want)
	}
	if got := ids(t, s); !slices.Equal(got, []string{"p2", "p2c", "p3", "p3c"}) {
		t.Fatalf("runs left %v", got)
	}
}
