package memory

import (
	"context"
	"slices"
	"testing"

	"github.com/aiosys/aios/kernel/space"
)

// TestIsolationEveryOperation: an agent holding another space's entry IDs, words and metadata
// can neither read, find, change nor delete them.
func TestIsolationEveryOperation(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, Options{Embedder: &hashEmbedder{dim: 32}})
	secret := mustAdd(t, s, spaceA, "the secret launch code", map[string]string{"owner": "a"})
	mine := mustAdd(t, s, spaceB, "my own secret", map[string]string{"owner": "b"})
	usageA, _ := s.Usage(ctx, spaceA)

	_, err := s.Get(ctx, spaceB, secret)
	wantErr(t, err, ErrNotFound)
	wantErr(t, s.Update(ctx, spaceB, secret, Entry{Text: "overwritten"}), ErrNotFound)
	wantErr(t, s.Delete(ctx, spaceB, secret), ErrNotFound)
	for _, mode := range []Mode{Keyword, Vector, Hybrid} {
		for _, q := range []Query{
			{Text: "secret launch code", Mode: mode, K: 100},
			{Text: "launch", Mode: mode, K: 100},
			{Text: "secret", Mode: mode, K: 100, Filter: map[string]string{"owner": "a"}},
		} {
			for _, h := range mustSearch(t, s, spaceB, q) {
				if h.ID != mine {
					t.Fatalf("%s search %+v from space B found %+v", mode, q, h)
				}
			}
		}
	}
	if r, err := s.Get(ctx, spaceA, secret); err != nil || r.Text != "the secret launch code" {
		t.Fatalf("space A's entry after B's attempts: %+v %v", r, err)
	}
	if u, _ := s.Usage(ctx, spaceA); u != usageA {
		t.Fatalf("space A's usage changed: %+v, was %+v", u, usageA)
	}
	hits := mustSearch(t, s, spaceA, Query{Text: "secret", Mode: Hybrid, K: 100})
	if !slices.Equal(ids(hits), []ID{secret}) {
		t.Fatalf("space A sees %v", ids(hits))
	}
}

// TestSpacesAreExact: spaces that FTS5 would tokenize alike, or that prefix each other, are
// still distinct.
func TestSpacesAreExact(t *testing.T) {
	s := openStore(t, Options{})
	spaces := []space.Space{"a/b", "a b", "a/b/", "A/B", "a"}
	for _, sp := range spaces {
		mustAdd(t, s, sp, "shared word "+string(sp), nil)
	}
	for _, sp := range spaces {
		hits := mustSearch(t, s, sp, Query{Text: "shared", K: 100})
		if len(hits) != 1 || hits[0].Text != "shared word "+string(sp) {
			t.Fatalf("space %q sees %+v", sp, hits)
		}
	}
}
