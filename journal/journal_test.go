package journal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func openStore(t *testing.T, o Options) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newRun(t *testing.T, s *Store) *Writer {
	t.Helper()
	r := Run{ID: NewID(), Name: "hello", Input: []byte("in\x00\n"), Status: Running}
	if err := s.SaveRun(r); err != nil {
		t.Fatal(err)
	}
	w, err := s.OpenWriter(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func TestAppendAndReadBack(t *testing.T) {
	s := openStore(t, Options{})
	w := newRun(t, s)
	want := [][]byte{[]byte("one"), {}, bytes.Repeat([]byte{0xff}, 100_000), []byte("\x00\n")}
	for _, rec := range want {
		if err := w.Append(rec); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Records(w.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("record %d differs", i)
		}
	}
}

func TestRunRecordRoundTrip(t *testing.T) {
	s := openStore(t, Options{Fsync: true})
	r := Run{ID: "r1", Module: "a b.wasm", Digest: "sha256:00", Input: []byte{0, 1, 0xff}, Args: []string{"-x\n"}, Seed: 1<<64 - 1, Status: Running}
	if err := s.SaveRun(r); err != nil {
		t.Fatal(err)
	}
	r.Status, r.ExitCode = Finished, 3
	if err := s.SaveRun(r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run("r1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != Finished || got.ExitCode != 3 || got.Seed != r.Seed || !bytes.Equal(got.Input, r.Input) || got.Args[0] != "-x\n" {
		t.Errorf("read back %+v", got)
	}
	runs, err := s.Runs()
	if err != nil || len(runs) != 1 {
		t.Fatalf("Runs = %v, %v", runs, err)
	}
}

func TestBadRunIDs(t *testing.T) {
	s := openStore(t, Options{})
	for _, id := range []string{"", "../x", "a/b", "x\x00", string(make([]byte, 200))} {
		if _, err := s.Run(id); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Run(%q) = %v, want an invalid-id error", id, err)
		}
		if err := s.SaveRun(Run{ID: id}); err == nil {
			t.Errorf("SaveRun(%q) succeeded", id)
		}
	}
	if _, err := s.Run("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Run(nope) = %v, want ErrNotFound", err)
	}
}

func TestRunFull(t *testing.T) {
	s := openStore(t, Options{MaxRunBytes: 100})
	w := newRun(t, s)
	if err := w.Append(make([]byte, 50)); err != nil {
		t.Fatal(err)
	}
	err := w.Append(make([]byte, 50))
	if !errors.Is(err, ErrRunFull) {
		t.Fatalf("second append: %v, want ErrRunFull", err)
	}
	if err := w.Append(make([]byte, 10)); err != nil {
		t.Fatalf("a record that fits is still taken: %v", err)
	}
	recs, _ := s.Records(w.ID())
	if len(recs) != 2 {
		t.Errorf("%d records, want 2", len(recs))
	}
}

func TestTornTailIsCutAndAppendGoesOn(t *testing.T) {
	s := openStore(t, Options{})
	w := newRun(t, s)
	for i := range 3 {
		if err := w.Append(fmt.Appendf(nil, "rec %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.Close()
	path := filepath.Join(s.Dir(), w.ID(), callsFile)
	full := appendFrame(nil, []byte("a record the crash cut short"))
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write(full[:len(full)-3])
	_ = f.Close()
	recs, err := s.Records(w.ID())
	if err != nil || len(recs) != 3 {
		t.Fatalf("torn tail: %d records, %v; want the 3 intact ones", len(recs), err)
	}
	w2, err := s.OpenWriter(w.ID())
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if err := w2.Append([]byte("after")); err != nil {
		t.Fatal(err)
	}
	recs, _ = s.Records(w.ID())
	if len(recs) != 4 || string(recs[3]) != "after" {
		t.Fatalf("after reopen: %q", recs)
	}
}

func TestCorruptRecordEndsTheJournal(t *testing.T) {
	s := openStore(t, Options{})
	w := newRun(t, s)
	for _, r := range []string{"aaaa", "bbbb", "cccc"} {
		if err := w.Append([]byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(s.Dir(), w.ID(), callsFile)
	b, _ := os.ReadFile(path)
	b[frameHeader+4+frameHeader] ^= 1 // first byte of the second record
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Records(w.ID())
	if err != nil || len(recs) != 1 || string(recs[0]) != "aaaa" {
		t.Fatalf("records %q, %v; want only the first", recs, err)
	}
}

func TestConcurrentRunsAndClose(t *testing.T) {
	s := openStore(t, Options{})
	var wg sync.WaitGroup
	ws := make([]*Writer, 16)
	for i := range ws {
		ws[i] = newRun(t, s)
	}
	for i, w := range ws {
		wg.Go(func() {
			for j := range 200 {
				if err := w.Append(fmt.Appendf(nil, "%d/%d", i, j)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, w := range ws {
		recs, err := s.Records(w.ID())
		if err != nil || len(recs) != 200 {
			t.Fatalf("run %d: %d records, %v", i, len(recs), err)
		}
		for j, r := range recs {
			if string(r) != fmt.Sprintf("%d/%d", i, j) {
				t.Fatalf("run %d record %d = %q", i, j, r)
			}
		}
	}
	_ = s.Close()
	if err := ws[0].Append([]byte("late")); !errors.Is(err, ErrClosed) {
		t.Errorf("append after Close: %v, want ErrClosed", err)
	}
}
