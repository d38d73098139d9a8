package memory

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel/writekey"
)

func keyed(run string, attempt, call int) context.Context {
	return writekey.With(context.Background(), writekey.Key{Run: run, Attempt: attempt, Call: call})
}

func TestWriteKeyAddsOnce(t *testing.T) {
	emb := &hashEmbedder{dim: 8}
	path := filepath.Join(t.TempDir(), "memory.db")
	s, err := Open(path, Options{Embedder: emb})
	if err != nil {
		t.Fatal(err)
	}
	ctx := keyed("run", 1, 3)
	id1, err := s.Add(ctx, spaceA, Entry{Text: "first note"})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.Add(ctx, spaceA, Entry{Text: "first note"})
	if err != nil || id2 != id1 {
		t.Fatalf("the same add twice returned %s and %s (%v)", id1, id2, err)
	}
	if emb.calls != 1 {
		t.Errorf("the embedder was called %d times, want once: a recorded add embeds nothing", emb.calls)
	}
	// The key survives the process: a reopened store still answers it.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{Embedder: emb})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if id, err := s.Add(ctx, spaceA, Entry{Text: "first note"}); err != nil || id != id1 {
		t.Fatalf("the add after reopening returned %s, %v, want %s", id, err, id1)
	}
	if u, err := s.Usage(context.Background(), spaceA); err != nil || u.Entries != 1 {
		t.Fatalf("usage %+v (%v), want one entry", u, err)
	}
	hits := mustSearch(t, s, spaceA, Query{Text: "note", Mode: Keyword, K: 10})
	if len(hits) != 1 || hits[0].ID != id1 {
		t.Fatalf("search found %v, want only %s", ids(hits), id1)
	}
}

func TestWriteKeyUpdatesAndDeletesOnce(t *testing.T) {
	s := openStore(t, Options{})
	id := mustAdd(t, s, spaceA, "one", nil)
	for range 2 {
		if err := s.Update(keyed("run", 1, 1), spaceA, id, Entry{Text: "two"}); err != nil {
			t.Fatal(err)
		}
	}
	// An update the run made later, then the first update made again, as a resume would
	// when the first one's record was lost: the later text stays.
	if err := s.Update(keyed("run", 1, 2), spaceA, id, Entry{Text: "three"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(keyed("run", 1, 1), spaceA, id, Entry{Text: "two"}); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Get(context.Background(), spaceA, id); err != nil || r.Text != "three" {
		t.Fatalf("get = %+v, %v, want text three", r, err)
	}
	for range 2 {
		// A second delete would find no entry; the keyed one answers as the first did.
		if err := s.Delete(keyed("run", 1, 3), spaceA, id); err != nil {
			t.Fatalf("keyed delete: %v", err)
		}
	}
	if err := s.Delete(context.Background(), spaceA, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an unkeyed delete of the deleted entry: %v, want ErrNotFound", err)
	}
}

func TestWriteKeyOfAnotherAttemptAdds(t *testing.T) {
	s := openStore(t, Options{})
	seen := map[ID]bool{}
	for attempt := 1; attempt <= 3; attempt++ {
		id, err := s.Add(keyed("run", attempt, 0), spaceA, Entry{Text: "x"})
		if err != nil || seen[id] {
			t.Fatalf("attempt %d: %s, %v", attempt, id, err)
		}
		seen[id] = true
	}
	if u, _ := s.Usage(context.Background(), spaceA); u.Entries != 3 {
		t.Fatalf("%d entries, want 3", u.Entries)
	}
}

func TestNoWriteKeyNeverDeduplicatesAdds(t *testing.T) {
	s := openStore(t, Options{})
	a, b := mustAdd(t, s, spaceA, "same", nil), mustAdd(t, s, spaceA, "same", nil)
	if a == b {
		t.Fatalf("two unkeyed adds made one entry %s", a)
	}
	if u, _ := s.Usage(context.Background(), spaceA); u.Entries != 2 {
		t.Fatalf("%d entries, want 2", u.Entries)
	}
}

func TestWriteKeyIsolationOfSpaces(t *testing.T) {
	s := openStore(t, Options{})
	ctx := keyed("run", 1, 0)
	a, err := s.Add(ctx, spaceA, Entry{Text: "a"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Add(ctx, spaceB, Entry{Text: "b"})
	if err != nil || b == a {
		t.Fatalf("the same key in another space: %s, %v (space A made %s)", b, err, a)
	}
	if r, err := s.Get(context.Background(), spaceB, b); err != nil || r.Text != "b" {
		t.Fatalf("space B's entry: %+v, %v", r, err)
	}
	if _, err := s.Get(context.Background(), spaceB, a); !errors.Is(err, ErrNotFound) {
		t.Fatalf("space A's entry seen from B: %v", err)
	}
}

func TestWriteKeyOfADifferentWriteIsRefused(t *testing.T) {
	s := openStore(t, Options{})
	id := mustAdd(t, s, spaceA, "x", nil)
	ctx := keyed("run", 1, 0)
	if err := s.Update(ctx, spaceA, id, Entry{Text: "y"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, spaceA, Entry{Text: "z"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an add under an update's write key: %v, want ErrInvalid", err)
	}
	if err := s.Delete(ctx, spaceA, id); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a delete under an update's write key: %v, want ErrInvalid", err)
	}
	if _, err := s.Add(writekey.With(context.Background(), writekey.Key{}), spaceA, Entry{Text: "z"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an add with an empty write key: %v, want ErrInvalid", err)
	}
	if u, _ := s.Usage(context.Background(), spaceA); u.Entries != 1 {
		t.Fatalf("%d entries, want 1", u.Entries)
	}
}

func TestWriteKeyConcurrentAddsApplyOnce(t *testing.T) {
	s := openStore(t, Options{})
	ctx := keyed("run", 1, 0)
	got := make([]ID, 8)
	errs := make([]error, len(got))
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i], errs[i] = s.Add(ctx, spaceA, Entry{Text: "once"}) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != got[0] {
			t.Fatalf("adder %d: %s, %v; adder 0: %s", i, got[i], errs[i], got[0])
		}
	}
	if u, _ := s.Usage(context.Background(), spaceA); u.Entries != 1 {
		t.Fatalf("%d entries, want 1", u.Entries)
	}
}

func TestForgetRunRemovesItsMemoryKeysOnly(t *testing.T) {
	bg := context.Background()
	s := openStore(t, Options{})
	first, err := s.Add(keyed("ended", 1, 0), spaceA, Entry{Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(keyed("running", 1, 0), spaceA, Entry{Text: "y"}); err != nil {
		t.Fatal(err)
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
	// Forgotten, the key no longer answers: the entry is the first add's alone.
	if id, err := s.Add(keyed("ended", 1, 0), spaceA, Entry{Text: "x"}); err != nil || id == first {
		t.Fatalf("an add under a forgotten key: %s, %v", id, err)
	}
}
