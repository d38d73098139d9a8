package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestBadKeysAreRefusedAndChangeNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	mustPut(t, s, alice, "kept", "v")
	before := s.mustUsage(t)
	bad := map[string]string{
		"empty":         "",
		"NUL":           "a\x00b",
		"invalid UTF-8": "a\xffb",
		"10 KiB":        strings.Repeat("k", 10<<10),
		"one too long":  strings.Repeat("k", DefaultMaxKeyBytes+1),
	}
	for name, key := range bad {
		calls := map[string]error{}
		_, calls["put"] = s.Put(ctx, alice, key, []byte("v"))
		_, calls["get"] = s.Get(ctx, alice, key)
		_, calls["get version"] = s.GetVersion(ctx, alice, key, 1)
		_, calls["delete"] = s.Delete(ctx, alice, key)
		_, calls["history"] = s.History(ctx, alice, key, 0, 0)
		_, calls["rollback"] = s.Rollback(ctx, alice, key, 1)
		for call, err := range calls {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s with a key %s: %v, want ErrInvalid", call, name, err)
			}
			if err != nil && len(err.Error()) > 200 {
				t.Errorf("%s with a key %s: a %d-byte error quotes too much", call, name, len(err.Error()))
			}
		}
		if name == "empty" {
			continue // an empty prefix or cursor is valid: everything, from the start
		}
		if _, _, err := s.List(ctx, alice, key, "", 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("list with a prefix %s: %v, want ErrInvalid", name, err)
		}
		if _, _, err := s.List(ctx, alice, "", key, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("list after a key %s: %v, want ErrInvalid", name, err)
		}
	}
	if after := s.mustUsage(t); after != before {
		t.Fatalf("refused calls changed usage from %+v to %+v", before, after)
	}
	wantValue(t, s, alice, "kept", "v", 1)
	checkIntegrity(t, s)
}

func TestKeysAreOpaque(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	keys := []string{"../b", "a/../b", "/", "..", "t/bb/bob/k", "%2F", "a\nb", "é", strings.Repeat("k", DefaultMaxKeyBytes)}
	for i, k := range keys {
		mustPut(t, s, alice, k, k)
		if i == 0 {
			mustPut(t, s, alice, "b", "plain b") // "../b" and "b" are different keys
		}
	}
	for _, k := range keys {
		wantValue(t, s, alice, k, k, 1)
	}
	wantValue(t, s, alice, "b", "plain b", 1)
	if _, err := s.Get(ctx, bob, "../b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("bob reads alice's ../b: %v", err)
	}
}

func TestOversizedValue(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{MaxValueBytes: 100})
	if _, err := s.Put(ctx, alice, "k", make([]byte, 100)); err != nil {
		t.Fatalf("a value at the cap: %v", err)
	}
	if _, err := s.Put(ctx, alice, "k", make([]byte, 101)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a value over the cap: %v, want ErrInvalid", err)
	}
	wantValue(t, s, alice, "k", string(make([]byte, 100)), 1)
}

func TestEmptySpaceIsRefused(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{})
	if _, err := s.Put(ctx, "", "k", nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("put to the empty space: %v", err)
	}
	if _, err := s.Get(ctx, "", "k"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("get from the empty space: %v", err)
	}
	if _, _, err := s.List(ctx, "", "", "", 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("list of the empty space: %v", err)
	}
	if _, err := s.Usage(ctx, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("usage of the empty space: %v", err)
	}
}

func TestBadLimits(t *testing.T) {
	for _, l := range []Limits{
		{MaxKeyBytes: -1},
		{MaxValueBytes: -1},
		{MaxBytesPerSpace: -1},
		{MaxVersionsPerSpace: -1 << 63},
		{MaxKeyBytes: MaxKeyBytesCap + 1},
		{MaxValueBytes: 1 << 40},
	} {
		if _, err := Open(context.Background(), t.TempDir()+"/s.db", l); !errors.Is(err, ErrInvalid) {
			t.Errorf("open with %+v: %v, want ErrInvalid", l, err)
		}
	}
	s, _ := openTest(t, Limits{})
	l := s.Limits()
	if l.MaxKeyBytes != DefaultMaxKeyBytes || l.MaxValueBytes != DefaultMaxValueBytes ||
		l.MaxBytesPerSpace != DefaultMaxBytesPerSpace || l.MaxVersionsPerSpace != DefaultMaxVersionsPerSpace || l.Now == nil {
		t.Fatalf("defaults = %+v", l)
	}
}

func TestHistoryLimits(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	mustPut(t, s, alice, "k", "v")
	if _, err := s.History(ctx, alice, "k", -1, 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("history before -1: %v, want ErrInvalid", err)
	}
	for _, limit := range []int{-1, -1 << 63, 1 << 62} {
		revs, err := s.History(ctx, alice, "k", 0, limit)
		if err != nil || len(revs) != 1 {
			t.Fatalf("history with limit %d = %+v, %v", limit, revs, err)
		}
	}
	if _, err := s.GetVersion(ctx, alice, "k", -5); !errors.Is(err, ErrInvalid) {
		t.Fatalf("get version -5: %v, want ErrInvalid", err)
	}
}
