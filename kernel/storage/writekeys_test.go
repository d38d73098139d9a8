package storage

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/writekey"
)

func keyed(run string, attempt, call int) context.Context {
	return writekey.With(context.Background(), writekey.Key{Run: run, Attempt: attempt, Call: call})
}

// versionsOf returns how many versions key has in sp.
func versionsOf(t *testing.T, s *Store, sp space.Space, key string) int {
	t.Helper()
	revs, err := s.History(context.Background(), sp, key, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(revs)
}

func TestWriteKeyAppliesAWriteOnce(t *testing.T) {
	s, path := openTest(t, Limits{Now: newClock().Now})
	ctx := keyed("run-1", 1, 7)
	v1, err := s.Put(ctx, alice, "k", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	v2, err := s.Put(ctx, alice, "k", []byte("v"))
	if err != nil || v2 != v1 || v1 != 1 {
		t.Fatalf("the same put twice returned versions %d and %d (%v), want 1 and 1", v1, v2, err)
	}
	// The key survives the process: a reopened store still answers it.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(context.Background(), path, Limits{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Put(ctx, alice, "k", []byte("v")); err != nil || v != 1 {
		t.Fatalf("the put after reopening returned %d, %v, want version 1", v, err)
	}
	if n := versionsOf(t, s, alice, "k"); n != 1 {
		t.Fatalf("%d versions, want 1", n)
	}
	if u := s.mustUsage(t); u.Versions != 1 || u.Bytes != 2 {
		t.Fatalf("usage %+v, want one version of two bytes", u)
	}
	checkIntegrity(t, s)
}

func TestWriteKeyAppliesDeleteAndRollbackOnce(t *testing.T) {
	s, _ := openTest(t, Limits{Now: newClock().Now})
	mustPut(t, s, alice, "k", "one")
	mustPut(t, s, alice, "k", "two")
	for range 2 {
		if v, err := s.Rollback(keyed("r", 1, 1), alice, "k", 1); err != nil || v != 3 {
			t.Fatalf("keyed rollback: %d, %v, want version 3", v, err)
		}
	}
	for range 2 {
		// A second delete would find a tombstone and fail with ErrNotFound; the keyed one
		// answers as the first did.
		if v, err := s.Delete(keyed("r", 1, 2), alice, "k"); err != nil || v != 4 {
			t.Fatalf("keyed delete: %d, %v, want version 4", v, err)
		}
	}
	if v, err := s.RollbackTo(keyed("r", 1, 3), alice, "k", newClock().now.AddDate(1, 0, 0)); err != nil || v != 5 {
		t.Fatalf("keyed rollback to a time: %d, %v", v, err)
	}
	if v, err := s.RollbackTo(keyed("r", 1, 3), alice, "k", newClock().now); err != nil || v != 5 {
		t.Fatalf("the same rollback to a time again: %d, %v, want version 5", v, err)
	}
	if n := versionsOf(t, s, alice, "k"); n != 5 {
		t.Fatalf("%d versions, want 5", n)
	}
}

func TestWriteKeyOfAnotherAttemptApplies(t *testing.T) {
	s, _ := openTest(t, Limits{Now: newClock().Now})
	for attempt := 1; attempt <= 3; attempt++ {
		if v, err := s.Put(keyed("run", attempt, 0), alice, "k", []byte("v")); err != nil || v != Version(attempt) {
			t.Fatalf("attempt %d: %d, %v", attempt, v, err)
		}
	}
	if v, err := s.Put(keyed("run", 1, 0), alice, "k", []byte("v")); err != nil || v != 1 {
		t.Fatalf("attempt 1 again: %d, %v, want its version 1", v, err)
	}
	if v, err := s.Put(keyed("other-run", 1, 0), alice, "k", []byte("v")); err != nil || v != 4 {
		t.Fatalf("another run's call 0: %d, %v, want version 4", v, err)
	}
}

func TestNoWriteKeyNeverDeduplicates(t *testing.T) {
	s, _ := openTest(t, Limits{Now: newClock().Now})
	for i := 1; i <= 3; i++ {
		if v := mustPut(t, s, alice, "k", "v"); v != Version(i) {
			t.Fatalf("put %d: version %d", i, v)
		}
	}
	if n, err := s.WriteKeys(context.Background(), ""); err != nil || n != 0 {
		t.Fatalf("%d write keys (%v), want none", n, err)
	}
}

func TestWriteKeyIsolation(t *testing.T) {
	s, _ := openTest(t, Limits{Now: newClock().Now})
	ctx := keyed("run", 1, 0)
	mustPut(t, s, bob, "k", "bob's")
	if v, err := s.Put(ctx, alice, "k", []byte("a")); err != nil || v != 1 {
		t.Fatal(v, err)
	}
	// The same key in bob's space is bob's own: alice's record neither answers nor blocks it.
	if v, err := s.Put(ctx, bob, "k", []byte("b")); err != nil || v != 2 {
		t.Fatalf("bob's keyed put: %d, %v, want version 2", v, err)
	}
	if v, err := s.Put(ctx, bob, "k", []byte("b")); err != nil || v != 2 {
		t.Fatalf("bob's keyed put again: %d, %v, want version 2", v, err)
	}
	wantValue(t, s, alice, "k", "a", 1)
	wantValue(t, s, bob, "k", "b", 2)
}

func TestWriteKeyOfADifferentWriteIsRefused(t *testing.T) {
	s, _ := openTest(t, Limits{Now: newClock().Now})
	ctx := keyed("run", 1, 0)
	if _, err := s.Put(ctx, alice, "k", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, alice, "other", []byte("a")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a put of another key under the same write key: %v, want ErrInvalid", err)
	}
	if _, err := s.Delete(ctx, alice, "k"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a delete under a put's write key: %v, want ErrInvalid", err)
	}
	if n := versionsOf(t, s, alice, "k"); n != 1 {
		t.Fatalf("%d versions, want 1", n)
	}
	for _, k := range []writekey.Key{{Run: "", Attempt: 1}, {Run: "r", Attempt: -1}, {Run: "r", Call: -5}, {Run: string(make([]byte, 129))}} {
		if _, err := s.Put(writekey.With(context.Background(), k), alice, "k", nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("put with write key %+v: %v, want ErrInvalid", k, err)
		}
	}
}

func TestWriteKeyFailedWriteRecordsNothing(t *testing.T) {
	s, _ := openTest(t, Limits{Now: newClock().Now, MaxVersionsPerSpace: 1})
	mustPut(t, s, alice, "full", "x")
	ctx := keyed("run", 1, 0)
	if _, err := s.Put(ctx, alice, "k", []byte("v")); !errors.Is(err, ErrQuota) {
		t.Fatalf("put past the quota: %v, want ErrQuota", err)
	}
	if n, err := s.WriteKeys(context.Background(), "run"); err != nil || n != 0 {
		t.Fatalf("a failed write left %d write keys (%v)", n, err)
	}
}

func TestWriteKeyConcurrentWritesApplyOnce(t *testing.T) {
	s, _ := openTest(t, Limits{Now: newClock().Now})
	ctx := keyed("run", 1, 0)
	var wg sync.WaitGroup
	versions := make([]Version, 16)
	errs := make([]error, len(versions))
	for i := range versions {
		wg.Go(func() { versions[i], errs[i] = s.Put(ctx, alice, "k", []byte("v")) })
	}
	wg.Wait()
	for i := range versions {
		if errs[i] != nil || versions[i] != 1 {
			t.Fatalf("writer %d: version %d, %v", i, versions[i], errs[i])
		}
	}
	if n := versionsOf(t, s, alice, "k"); n != 1 {
		t.Fatalf("%d versions, want 1", n)
	}
}

func TestForgetRunRemovesItsKeysOnly(t *testing.T) {
	bg := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	for call := range 3 {
		if _, err := s.Put(keyed("ended", 1, call), alice, "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Put(keyed("ended", 2, 0), bob, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(keyed("running", 1, 0), alice, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if n, err := s.WriteKeys(bg, "ended"); err != nil || n != 4 {
		t.Fatalf("%d write keys of the run (%v), want 4", n, err)
	}
	if err := s.ForgetRun(bg, "ended"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.WriteKeys(bg, "ended"); err != nil || n != 0 {
		t.Fatalf("%d write keys of the ended run (%v), want none", n, err)
	}
	if n, err := s.WriteKeys(bg, "running"); err != nil || n != 1 {
		t.Fatalf("%d write keys of the running run (%v), want 1", n, err)
	}
	if v, err := s.Put(keyed("running", 1, 0), alice, "k", []byte("v")); err != nil || v != 4 {
		t.Fatalf("the running run's put again: %d, %v, want its version 4", v, err)
	}
	checkIntegrity(t, s)
}
