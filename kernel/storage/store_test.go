package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/internal/sqlitedb"
	"github.com/aiosys/aios/kernel/space"
)

// clock is a deterministic Limits.Now: each reading is one second after the previous one.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var (
	alice = space.Of(space.Identity{Tenant: "t", Publisher: "aa", Name: "alice"})
	bob   = space.Of(space.Identity{Tenant: "t", Publisher: "bb", Name: "bob"})
)

// openTest opens a store in a temporary directory, closed when the test ends.
func openTest(t testing.TB, l Limits) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "storage.db")
	s, err := Open(context.Background(), path, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

func mustPut(t testing.TB, s *Store, sp space.Space, key, value string) Version {
	t.Helper()
	v, err := s.Put(context.Background(), sp, key, []byte(value))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantValue(t *testing.T, s *Store, sp space.Space, key, value string, v Version) {
	t.Helper()
	it, err := s.Get(context.Background(), sp, key)
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	if string(it.Value) != value || it.Version != v || it.Key != key || it.Deleted || it.Size != int64(len(value)) {
		t.Fatalf("get %q = %+v, want value %q version %d", key, it, value, v)
	}
}

func checkIntegrity(t *testing.T, s *Store) {
	t.Helper()
	if err := sqlitedb.IntegrityCheck(context.Background(), s.db); err != nil {
		t.Fatal(err)
	}
}

func TestPutKeepsEveryVersion(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, _ := openTest(t, Limits{Now: c.Now})
	for i, val := range []string{"one", "two", ""} {
		if v := mustPut(t, s, alice, "k", val); v != Version(i+1) {
			t.Fatalf("put %d returned version %d", i, v)
		}
	}
	wantValue(t, s, alice, "k", "", 3)
	it, err := s.GetVersion(ctx, alice, "k", 1)
	if err != nil || string(it.Value) != "one" || !it.Time.Equal(time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)) {
		t.Fatalf("version 1 = %+v, %v", it, err)
	}
	revs, err := s.History(ctx, alice, "k", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 3 || revs[0].Version != 3 || revs[2].Version != 1 || revs[1].Size != 3 {
		t.Fatalf("history = %+v", revs)
	}
	page, err := s.History(ctx, alice, "k", 3, 1)
	if err != nil || len(page) != 1 || page[0].Version != 2 {
		t.Fatalf("history before 3, one = %+v, %v", page, err)
	}
	if _, err := s.GetVersion(ctx, alice, "k", 4); !errors.Is(err, ErrNotFound) {
		t.Fatalf("version 4: %v, want ErrNotFound", err)
	}
	if _, err := s.History(ctx, alice, "nope", 0, 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("history of a missing key: %v, want ErrNotFound", err)
	}
}

func TestDeleteWritesATombstone(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	mustPut(t, s, alice, "k", "v")
	v, err := s.Delete(ctx, alice, "k")
	if err != nil || v != 2 {
		t.Fatalf("delete = %d, %v", v, err)
	}
	if _, err := s.Get(ctx, alice, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after delete: %v, want ErrNotFound", err)
	}
	if _, err := s.Delete(ctx, alice, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := s.Delete(ctx, alice, "never"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete of a missing key: %v, want ErrNotFound", err)
	}
	if entries, _, err := s.List(ctx, alice, "", "", 0); err != nil || len(entries) != 0 {
		t.Fatalf("list after delete = %+v, %v", entries, err)
	}
	tomb, err := s.GetVersion(ctx, alice, "k", 2)
	if err != nil || !tomb.Deleted || len(tomb.Value) != 0 {
		t.Fatalf("the tombstone = %+v, %v", tomb, err)
	}
	revs, err := s.History(ctx, alice, "k", 0, 0)
	if err != nil || len(revs) != 2 || !revs[0].Deleted {
		t.Fatalf("history = %+v, %v", revs, err)
	}
	if v := mustPut(t, s, alice, "k", "again"); v != 3 {
		t.Fatalf("put after delete = version %d, want 3", v)
	}
	u, err := s.Usage(ctx, alice)
	if err != nil || u.Versions != 3 || u.Bytes != int64(3+len("v")+len("again")) {
		t.Fatalf("usage = %+v, %v", u, err)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t, Limits{Now: newClock().Now})
	mustPut(t, s, alice, "k", "v1")
	mustPut(t, s, alice, "k", "v2")
	value := bytes.Repeat([]byte{0, 0xff, 'x'}, 1000) // values are any bytes
	if _, err := s.Put(ctx, alice, "bin", value); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, alice, "k"); !errors.Is(err, ErrClosed) {
		t.Fatalf("get after close: %v, want ErrClosed", err)
	}
	if _, err := s.Put(ctx, alice, "k", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("put after close: %v, want ErrClosed", err)
	}
	s2, err := Open(ctx, path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	wantValue(t, s2, alice, "k", "v2", 2)
	it, err := s2.Get(ctx, alice, "bin")
	if err != nil || !bytes.Equal(it.Value, value) {
		t.Fatalf("binary value came back as %d bytes, %v", len(it.Value), err)
	}
	checkIntegrity(t, s2)
}

func TestWriteHonoursContext(t *testing.T) {
	s, _ := openTest(t, Limits{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Whether the write is refused before the queue or skipped by the writer, it fails and
	// writes nothing.
	for range 20 {
		if _, err := s.Put(ctx, alice, "k", []byte("v")); !errors.Is(err, context.Canceled) {
			t.Fatalf("put with a cancelled context: %v", err)
		}
	}
	if _, err := s.Get(context.Background(), alice, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a cancelled put wrote: %v", err)
	}
	if u := s.mustUsage(t); u != (Usage{}) {
		t.Fatalf("cancelled puts were charged: %+v", u)
	}
}

// TestCloseWhileWriting: a write racing Close either fails with ErrClosed or is durable.
func TestCloseWhileWriting(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t, Limits{})
	const writers = 6
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		written []string
		first   = make(chan struct{}, writers)
	)
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				key := fmt.Sprintf("w%d-%d", w, i)
				_, err := s.Put(ctx, alice, key, []byte(key))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				written = append(written, key)
				mu.Unlock()
				if i == 0 {
					first <- struct{}{}
				}
			}
		}()
	}
	for range writers {
		<-first // every writer is writing
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a write racing Close: %v, want success or ErrClosed", err)
	}
	s2, err := Open(ctx, path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for _, key := range written {
		wantValue(t, s2, alice, key, key, 1)
	}
	if u, err := s2.Usage(ctx, alice); err != nil || u.Versions != int64(len(written)) {
		t.Fatalf("usage %+v, %v; %d writes succeeded", u, err, len(written))
	}
}
