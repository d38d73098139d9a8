package memory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestAddGetUpdateDelete(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	s := openStore(t, Options{Now: func() time.Time { return now }})
	id := mustAdd(t, s, spaceA, "hello world", map[string]string{"kind": "note"})
	r, err := s.Get(ctx, spaceA, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "hello world" || r.Metadata["kind"] != "note" || !r.Created.Equal(now) {
		t.Fatalf("got %+v", r)
	}
	now = now.Add(time.Second)
	if err := s.Update(ctx, spaceA, id, Entry{Text: "goodbye", Metadata: map[string]string{"x": "y"}}); err != nil {
		t.Fatal(err)
	}
	r, _ = s.Get(ctx, spaceA, id)
	if r.Text != "goodbye" || len(r.Metadata) != 1 || r.Metadata["x"] != "y" || !r.Updated.Equal(now) {
		t.Fatalf("after update got %+v", r)
	}
	if hits := mustSearch(t, s, spaceA, Query{Text: "hello", K: 5}); len(hits) != 0 {
		t.Fatalf("old text still indexed: %+v", hits)
	}
	if hits := mustSearch(t, s, spaceA, Query{Text: "goodbye", K: 5}); len(hits) != 1 || hits[0].ID != id {
		t.Fatalf("new text not indexed: %+v", hits)
	}
	if hits := mustSearch(t, s, spaceA, Query{Text: "goodbye", K: 5, Filter: map[string]string{"kind": "note"}}); len(hits) != 0 {
		t.Fatalf("old metadata still filters: %+v", hits)
	}
	u, _ := s.Usage(ctx, spaceA)
	if u != (Usage{Entries: 1, Bytes: int64(len("goodbye") + 2)}) {
		t.Fatalf("usage %+v", u)
	}
	if err := s.Delete(ctx, spaceA, id); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(ctx, spaceA, id)
	wantErr(t, err, ErrNotFound)
	wantErr(t, s.Delete(ctx, spaceA, id), ErrNotFound)
	if hits := mustSearch(t, s, spaceA, Query{Text: "goodbye", K: 5}); len(hits) != 0 {
		t.Fatalf("deleted entry found: %+v", hits)
	}
	if u, _ := s.Usage(ctx, spaceA); u != (Usage{}) {
		t.Fatalf("usage after delete %+v", u)
	}
}

func TestReopenKeepsEntriesAndDimension(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(path, Options{Embedder: &hashEmbedder{dim: 16}})
	if err != nil {
		t.Fatal(err)
	}
	id := mustAdd(t, s, spaceA, "durable words", nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(ctx, spaceA, id)
	wantErr(t, err, ErrClosed)

	s, err = Open(path, Options{Embedder: &hashEmbedder{dim: 8}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if r, err := s.Get(ctx, spaceA, id); err != nil || r.Text != "durable words" {
		t.Fatalf("get after reopen: %+v %v", r, err)
	}
	// The store recorded 16 dimensions; an embedder of 8 is refused for writes and queries.
	_, err = s.Add(ctx, spaceA, Entry{Text: "other"})
	wantErr(t, err, ErrEmbedding)
	_, err = s.Search(ctx, spaceA, Query{Text: "durable", Mode: Vector, K: 1})
	wantErr(t, err, ErrEmbedding)
	if hits := mustSearch(t, s, spaceA, Query{Text: "durable", K: 1}); len(hits) != 1 {
		t.Fatalf("keyword after reopen: %+v", hits)
	}
	if u, _ := s.Usage(ctx, spaceA); u.Entries != 1 {
		t.Fatalf("usage after refused add: %+v", u)
	}
}

func TestEmbedderFailureStoresNothing(t *testing.T) {
	ctx := context.Background()
	e := &hashEmbedder{dim: 8, fail: fmt.Errorf("core down")}
	s := openStore(t, Options{Embedder: e})
	_, err := s.Add(ctx, spaceA, Entry{Text: "x"})
	wantErr(t, err, ErrEmbedding)
	e.fixed = map[string][]float32{"nan": {float32(nanF()), 1}}
	e.fail = nil
	_, err = s.Add(ctx, spaceA, Entry{Text: "nan"})
	wantErr(t, err, ErrEmbedding)
	if u, _ := s.Usage(ctx, spaceA); u != (Usage{}) {
		t.Fatalf("usage %+v", u)
	}
}

func nanF() float64 { var z float64; return z / z }

func TestQuotaNeverOvershotByConcurrentAdds(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, Options{MaxEntriesPerSpace: 5, MaxBytesPerSpace: 1000})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, quota := 0, 0
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Add(ctx, spaceA, Entry{Text: fmt.Sprintf("entry %d", i)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrQuota):
				quota++
			default:
				t.Errorf("add: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 5 || quota != 11 {
		t.Fatalf("%d added, %d refused; want 5 and 11", ok, quota)
	}
	if u, _ := s.Usage(ctx, spaceA); u.Entries != 5 {
		t.Fatalf("usage %+v", u)
	}
	// Another space has its own quota.
	mustAdd(t, s, spaceB, "b", nil)
}

func TestByteQuota(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, Options{MaxBytesPerSpace: 100})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Add(ctx, spaceA, Entry{Text: string(make([]byte, 30))})
			if err != nil && !errors.Is(err, ErrQuota) {
				t.Errorf("add: %v", err)
			}
		}()
	}
	wg.Wait()
	if u, _ := s.Usage(ctx, spaceA); u != (Usage{Entries: 3, Bytes: 90}) {
		t.Fatalf("usage %+v, want 3 entries and 90 bytes", u)
	}
	id := mustAdd(t, s, spaceA, "0123456789", nil)
	err := s.Update(ctx, spaceA, id, Entry{Text: "01234567890"})
	wantErr(t, err, ErrQuota)
	if r, _ := s.Get(ctx, spaceA, id); r.Text != "0123456789" {
		t.Fatalf("refused update changed the entry: %q", r.Text)
	}
	if err := s.Update(ctx, spaceA, id, Entry{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.Usage(ctx, spaceA); u != (Usage{Entries: 4, Bytes: 91}) {
		t.Fatalf("usage %+v after shrinking update", u)
	}
}

func TestOpenRefusesBadOptions(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "m.db"), Options{MaxK: -1})
	wantErr(t, err, ErrInvalid)
}

// TestOpenPathIsAFileName: a '?' in the path is part of the file's name, never connection
// settings (here: a read-only mode that would make every write fail).
func TestOpenPathIsAFileName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db?mode=ro")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustAdd(t, s, spaceA, "written", nil)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the store is not at the path it was given: %v", err)
	}
}

func TestAddManyIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, Options{MaxEntriesPerSpace: 3, Embedder: &hashEmbedder{dim: 8}})
	mustAdd(t, s, spaceA, "one", nil)
	_, err := s.addMany(ctx, spaceA, []Entry{{Text: "two"}, {Text: "three"}, {Text: "four"}}, nil)
	wantErr(t, err, ErrQuota)
	_, err = s.addMany(ctx, spaceA, []Entry{{Text: "two"}, {Text: "bad \xff"}}, nil)
	wantErr(t, err, ErrInvalid)
	if u, _ := s.Usage(ctx, spaceA); u.Entries != 1 {
		t.Fatalf("usage %+v after refused batches", u)
	}
	if hits := mustSearch(t, s, spaceA, Query{Text: "two three", K: 10}); len(hits) != 0 {
		t.Fatalf("refused batch indexed: %+v", hits)
	}
}

func TestEmbedderMalformedAnswerRefused(t *testing.T) {
	ctx := context.Background()
	e := &hashEmbedder{dim: 8, fixed: map[string][]float32{"short": {1, 2}}}
	s := openStore(t, Options{Embedder: e})
	_, err := s.addMany(ctx, spaceA, []Entry{{Text: "long"}, {Text: "short"}}, nil)
	wantErr(t, err, ErrEmbedding)
	e.fixed["empty"] = []float32{}
	_, err = s.Add(ctx, spaceA, Entry{Text: "empty"})
	wantErr(t, err, ErrEmbedding)
	e.fixed["huge"] = make([]float32, maxDim+1)
	_, err = s.Add(ctx, spaceA, Entry{Text: "huge"})
	wantErr(t, err, ErrEmbedding)
	// An entry without text has no vector and needs no embedding.
	if _, err := s.Add(ctx, spaceA, Entry{Metadata: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
}
