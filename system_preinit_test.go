package aios

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/journal"
)

// goReactor builds testdata/goreactor as a reactor once per test binary.
var goReactor = sync.OnceValues(func() ([]byte, error) {
	return wasip1Module(filepath.Join("testdata", "goreactor"), ".", "-buildmode=c-shared")
})

// preinitSystem is a System with [preinit] auto over dataDir (shared compile cache).
func preinitSystem(t *testing.T, dataDir string, auto bool) *System {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = dataDir
	cfg.Preinit = config.Preinit{Auto: auto, MaxCached: 2}
	ctx := context.Background()
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	return s
}

// runOnce loads wasm on s and runs it once with a fixed input, arguments and environment.
func runOnce(t *testing.T, s *System, wasm []byte) (*Agent, *Result) {
	t.Helper()
	ctx := context.Background()
	a, err := s.Load(ctx, "agent", wasm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(ctx) })
	res, err := a.Run(ctx, RunOptions{Input: []byte("hello stdin"), Args: []string{"a", "b"}, Env: []string{"GREETING=hi"}})
	if err != nil {
		t.Fatal(err)
	}
	return a, res
}

func cached(t *testing.T, dataDir, suffix string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dataDir, filepath.FromSlash(PreinitDir), "*"+suffix))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAutoPreinitStartsReactorsFromTheirSnapshot: with [preinit] auto, a plain reactor (Go and
// WAT) is pre-initialised once at its first load, kept in the data directory, and started from
// the snapshot by later loads and other Systems; it gives what it gives without.
func TestAutoPreinitStartsReactorsFromTheirSnapshot(t *testing.T) {
	goWasm, err := goReactor()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		wasm []byte
	}{
		{"go", goWasm},
		{"wat", testdataModule(t, "reactor.wasm")},
	} {
		t.Run(c.name, func(t *testing.T) {
			plainDir, autoDir := t.TempDir(), t.TempDir()
			shareCompileCache(t, plainDir)
			shareCompileCache(t, autoDir)
			_, want := runOnce(t, preinitSystem(t, plainDir, false), c.wasm)
			if len(cached(t, plainDir, "")) != 0 {
				t.Fatal("a System without [preinit] auto wrote to the preinit cache")
			}

			first := preinitSystem(t, autoDir, true)
			a, got := runOnce(t, first, c.wasm)
			if a.plain == nil || first.preinit.runs.Load() != 1 || len(cached(t, autoDir, ".wasm")) != 1 {
				t.Fatalf("first load: pre-initialised %v, runs %d, cached %v", a.plain != nil, first.preinit.runs.Load(), cached(t, autoDir, ""))
			}
			if got.ExitCode != want.ExitCode || string(got.Output) != string(want.Output) || (got.Err == nil) != (want.Err == nil) {
				t.Fatalf("pre-initialised run: exit %d %q %v, plain run: exit %d %q %v",
					got.ExitCode, got.Output, got.Err, want.ExitCode, want.Output, want.Err)
			}
			runOnce(t, first, c.wasm)
			second := preinitSystem(t, autoDir, true)
			a, got = runOnce(t, second, c.wasm)
			if a.plain == nil || first.preinit.runs.Load() != 1 || second.preinit.runs.Load() != 0 {
				t.Fatalf("later loads pre-initialised again: runs %d and %d", first.preinit.runs.Load(), second.preinit.runs.Load())
			}
			if string(got.Output) != string(want.Output) {
				t.Fatalf("from the cache: %q, want %q", got.Output, want.Output)
			}
		})
	}
}

// TestAutoPreinitLeavesOtherModulesAlone: commands, and reactors whose initialisation makes a
// call that cannot be answered ahead of time, run as they are; a refusal is remembered, and
// the cache keeps at most max_cached entries.
func TestAutoPreinitLeavesOtherModulesAlone(t *testing.T) {
	dir := t.TempDir()
	shareCompileCache(t, dir)
	s := preinitSystem(t, dir, true)

	a, res := runOnce(t, s, testdataModule(t, "minimal.wasm"))
	if a.plain != nil || res.Err != nil || s.preinit.runs.Load() != 0 {
		t.Fatalf("a command: pre-initialised %v, err %v, runs %d", a.plain != nil, res.Err, s.preinit.runs.Load())
	}

	refused := testdataModule(t, "reactor_initwrite.wasm")
	a, res = runOnce(t, s, refused)
	if a.plain != nil || res.Err != nil {
		t.Fatalf("a refused reactor: pre-initialised %v, err %v", a.plain != nil, res.Err)
	}
	marks := cached(t, dir, ".refused")
	if len(marks) != 1 {
		t.Fatalf("refusals remembered: %v", marks)
	}
	if b, _ := os.ReadFile(marks[0]); !strings.Contains(string(b), "fd_write") {
		t.Fatalf("the refusal does not name the call: %q", b)
	}
	runOnce(t, s, refused)
	if s.preinit.runs.Load() != 1 {
		t.Fatalf("a remembered refusal was tried again: %d pre-initialisations", s.preinit.runs.Load())
	}

	// Two more reactors: with max_cached 2, the least recently used entry (the refusal) goes.
	runOnce(t, s, testdataModule(t, "reactor.wasm"))
	goWasm, err := goReactor()
	if err != nil {
		t.Fatal(err)
	}
	runOnce(t, s, goWasm)
	if n := len(cached(t, dir, ".wasm")) + len(cached(t, dir, ".refused")); n != 2 {
		t.Fatalf("%d entries cached, want at most max_cached (2)", n)
	}
}

// TestDurableRunsStartFromThePlainModule: a durable run of a reactor the kernel pre-initialised
// starts from the module as given, so that its journal replays whatever [preinit] says later.
func TestDurableRunsStartFromThePlainModule(t *testing.T) {
	dir := t.TempDir()
	shareCompileCache(t, dir)
	wasm := testdataModule(t, "reactor.wasm")
	a, _ := runOnce(t, preinitSystem(t, dir, true), wasm)
	if a.plain == nil {
		t.Fatal("not pre-initialised")
	}
	store, err := journal.Open(filepath.Join(dir, JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	res, rec, err := a.RunDurable(ctx, store, journal.Run{Module: "reactor.wasm"}, RunOptions{})
	if err != nil || res.Err != nil {
		t.Fatalf("durable run: %v, %v", err, res.Err)
	}
	if a.plain.m == nil {
		t.Fatal("the durable run did not start from the plain module")
	}
	calls, err := JournalCalls(store, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	var init bool
	for _, c := range calls {
		init = init || c.Name == "random_get" || c.Name == "clock_time_get"
	}
	if !init {
		t.Fatalf("the journal lacks _initialize's clock and random calls: it did not start plainly (%d calls)", len(calls))
	}
	// A System without [preinit] replays it identically.
	b, _ := runOnce(t, preinitSystem(t, dir, false), wasm)
	rep, err := b.Replay(ctx, store, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Divergence != nil {
		t.Fatalf("replay without [preinit] diverged: %v", rep.Divergence)
	}
}

// testdataModule reads testdata/name.
func testdataModule(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
