package storage

import (
	"context"
	"errors"
	"testing"

	"github.com/aiosys/aios/kernel/space"
)

// TestSpacesAreIsolated: whatever keys, prefixes, cursors or versions bob passes, he neither
// sees nor changes alice's entries.
func TestSpacesAreIsolated(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	mustPut(t, s, alice, "secret", "alice's")
	mustPut(t, s, alice, "secret", "alice's v2")
	aliceUsage := s.mustUsage(t)

	for _, key := range []string{"secret", string(alice) + "/secret", "../" + string(alice) + "/secret", "t/aa/alice"} {
		if _, err := s.Get(ctx, bob, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("bob get %q: %v, want ErrNotFound", key, err)
		}
		if _, err := s.GetVersion(ctx, bob, key, 1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("bob get %q version 1: %v, want ErrNotFound", key, err)
		}
		if _, err := s.History(ctx, bob, key, 0, 0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("bob history %q: %v, want ErrNotFound", key, err)
		}
		if _, err := s.Rollback(ctx, bob, key, 1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("bob rollback %q: %v, want ErrNotFound", key, err)
		}
		if _, err := s.Delete(ctx, bob, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("bob delete %q: %v, want ErrNotFound", key, err)
		}
	}
	for _, prefix := range []string{"", "s", "t/", string(alice)} {
		entries, _, err := s.List(ctx, bob, prefix, "", MaxPage)
		if err != nil || len(entries) != 0 {
			t.Fatalf("bob list %q = %+v, %v", prefix, entries, err)
		}
	}

	// bob writing the same key makes his own version 1, not alice's version 3.
	if v := mustPut(t, s, bob, "secret", "bob's"); v != 1 {
		t.Fatalf("bob's first put is version %d", v)
	}
	wantValue(t, s, alice, "secret", "alice's v2", 2)
	wantValue(t, s, bob, "secret", "bob's", 1)
	if u := s.mustUsage(t); u != aliceUsage {
		t.Fatalf("bob's put changed alice's usage from %+v to %+v", aliceUsage, u)
	}

	// Spaces that differ only in how their names split do not meet either.
	a := space.Of(space.Identity{Tenant: "x/y", Name: "z"})
	b := space.Of(space.Identity{Tenant: "x", Name: "y/z"})
	mustPut(t, s, a, "k", "a")
	if _, err := s.Get(ctx, b, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("space %q reads space %q: %v", b, a, err)
	}
}
