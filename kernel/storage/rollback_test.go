package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRollbackAppendsACopy(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	mustPut(t, s, alice, "k", "one")
	mustPut(t, s, alice, "k", "two")
	v, err := s.Rollback(ctx, alice, "k", 1)
	if err != nil || v != 3 {
		t.Fatalf("rollback to 1 = %d, %v", v, err)
	}
	wantValue(t, s, alice, "k", "one", 3)
	if it, err := s.GetVersion(ctx, alice, "k", 2); err != nil || string(it.Value) != "two" {
		t.Fatalf("rollback rewrote version 2: %+v, %v", it, err)
	}

	for _, to := range []Version{4, 1 << 62} {
		if _, err := s.Rollback(ctx, alice, "k", to); !errors.Is(err, ErrNotFound) {
			t.Fatalf("rollback to %d: %v, want ErrNotFound", to, err)
		}
	}
	for _, to := range []Version{0, -1, -1 << 63} {
		if _, err := s.Rollback(ctx, alice, "k", to); !errors.Is(err, ErrInvalid) {
			t.Fatalf("rollback to %d: %v, want ErrInvalid", to, err)
		}
	}
	if _, err := s.Rollback(ctx, alice, "missing", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rollback of a missing key: %v, want ErrNotFound", err)
	}
	wantValue(t, s, alice, "k", "one", 3) // failed rollbacks wrote nothing
}

func TestRollbackUndeletes(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	mustPut(t, s, alice, "k", "v")
	if _, err := s.Delete(ctx, alice, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rollback(ctx, alice, "k", 1); err != nil {
		t.Fatal(err)
	}
	wantValue(t, s, alice, "k", "v", 3)
	// Rolling back to the tombstone deletes again.
	if _, err := s.Rollback(ctx, alice, "k", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, alice, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after rollback to a tombstone: %v, want ErrNotFound", err)
	}
}

func TestRollbackToTime(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, _ := openTest(t, Limits{Now: c.Now})
	t1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	c.set(t1.Add(-time.Second)) // the next reading is t1
	mustPut(t, s, alice, "k", "at t1")
	c.set(t1.Add(time.Hour - time.Second))
	mustPut(t, s, alice, "k", "at t1+1h")

	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{t1, "at t1"},
		{t1.Add(30 * time.Minute), "at t1"},
		{t1.Add(time.Hour), "at t1+1h"},
		{t1.Add(1000 * time.Hour), "at t1+1h"},
		{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), "at t1+1h"}, // past what UnixNano holds
	} {
		if _, err := s.RollbackTo(ctx, alice, "k", tc.at); err != nil {
			t.Fatalf("rollback to %s: %v", tc.at, err)
		}
		it, err := s.Get(ctx, alice, "k")
		if err != nil || string(it.Value) != tc.want {
			t.Fatalf("after rollback to %s: %q, %v; want %q", tc.at, it.Value, err, tc.want)
		}
	}
	before := s.mustUsage(t)
	for _, at := range []time.Time{t1.Add(-time.Nanosecond), {}, time.Unix(0, 0), time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, err := s.RollbackTo(ctx, alice, "k", at); !errors.Is(err, ErrNotFound) {
			t.Fatalf("rollback to %s, before the first write: %v, want ErrNotFound", at, err)
		}
	}
	if _, err := s.RollbackTo(ctx, alice, "missing", t1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rollback of a missing key to a time: %v, want ErrNotFound", err)
	}
	if after := s.mustUsage(t); after != before {
		t.Fatalf("failed rollbacks changed usage from %+v to %+v", before, after)
	}
}

func TestTimesNeverGoBackwards(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, _ := openTest(t, Limits{Now: c.Now})
	t1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	c.set(t1.Add(-time.Second))
	mustPut(t, s, alice, "k", "first")
	c.set(t1.Add(-time.Hour)) // the clock steps back
	mustPut(t, s, alice, "k", "second")
	revs, err := s.History(ctx, alice, "k", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !revs[0].Time.Equal(t1) {
		t.Fatalf("a version written while the clock stepped back has time %s, want %s", revs[0].Time, t1)
	}
	// The state at t1 is the newest version stamped t1.
	if _, err := s.RollbackTo(ctx, alice, "k", t1); err != nil {
		t.Fatal(err)
	}
	wantValue(t, s, alice, "k", "second", 3)
}

func (s *Store) mustUsage(t *testing.T) Usage {
	t.Helper()
	u, err := s.Usage(context.Background(), alice)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
