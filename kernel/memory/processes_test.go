package memory

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestStoresOfOneFileSeeEachOthersWrites: two Stores on one database behave like two aios
// processes sharing a data directory. Neither trusts what it cached or learned about the store
// once the other has written: the embedding dimension, and the vectors of a space.
func TestStoresOfOneFileSeeEachOthersWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "memory.db")
	open := func() *Store {
		s, err := Open(path, Options{Embedder: &hashEmbedder{dim: 32}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a, b, c := open(), open(), open() // all opened before any vector exists
	vector := func(s *Store, text string) []ID {
		return ids(mustSearch(t, s, spaceA, Query{Text: text, Mode: Vector, K: 10}))
	}

	first := mustAdd(t, b, spaceA, "alpha beta", nil)
	if got := vector(a, "alpha"); !slices.Equal(got, []ID{first}) {
		t.Fatalf("a finds %v after b's first vector, want [%s]", got, first)
	}
	// c has not seen the dimension b recorded; its first vector must not record it again.
	second := mustAdd(t, c, spaceA, "gamma delta", nil)
	if got := vector(a, "gamma"); len(got) != 2 || got[0] != second {
		t.Fatalf("a finds %v after c's add (cached before it), want %s first of two", got, second)
	}
	if err := b.Delete(t.Context(), spaceA, second); err != nil {
		t.Fatal(err)
	}
	if got := vector(a, "gamma"); !slices.Equal(got, []ID{first}) {
		t.Fatalf("a finds %v after b deleted %s", got, second)
	}
}
