package aios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/journal"
)

// durableAgent builds testdata/agents/durable for wasip1 once per test binary.
var durableAgent = sync.OnceValues(func() ([]byte, error) {
	return wasip1Module(filepath.Join("testdata", "agents"), "./durable")
})

func loadDurable(t *testing.T, cfg config.Config, wasm []byte) *Agent {
	return loadDurableAs(t, cfg, "durable", wasm)
}

func loadDurableAs(t *testing.T, cfg config.Config, name string, wasm []byte) *Agent {
	t.Helper()
	ctx := context.Background()
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	a, err := s.Load(ctx, name, wasm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(ctx) })
	return a
}

// recordDurable runs the durable agent journaled on the echo core with storage and memory in
// a data directory, and returns the store and the run's record.
func recordDurable(t *testing.T) (*journal.Store, journal.Run, []byte, []byte) {
	t.Helper()
	wasm, err := durableAgent()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	shareCompileCache(t, cfg.DataDir)
	a := loadDurable(t, cfg, wasm)
	store, err := journal.Open(filepath.Join(cfg.DataDir, JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	res, rec, err := a.RunDurable(context.Background(), store, journal.Run{Module: "durable.wasm"},
		RunOptions{Input: []byte("why is the sky blue?"), Args: []string{"-v"}, Env: []string{"GREETING=hi"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil || res.ExitCode != 0 {
		t.Fatalf("recorded run ended %d, %v; output %q", res.ExitCode, res.Err, res.Output)
	}
	for _, want := range []string{"args=[durable -v] env=hi", "generate=", "async=", "storage=1 ", "memory="} {
		if !bytes.Contains(res.Output, []byte(want)) {
			t.Fatalf("recorded output %q lacks %q", res.Output, want)
		}
	}
	if rec.Status != journal.Finished || rec.Calls == 0 || rec.Seed == 0 || rec.Digest != digestOf(wasm) {
		t.Fatalf("record %+v", rec)
	}
	return store, rec, wasm, res.Output
}

// replayAgent loads wasm on a System with nothing configured: no data directory, no cores
// but the echo core, no storage, memory or tools.
func replayAgent(t *testing.T, wasm []byte) *Agent {
	return loadDurable(t, replayConfig(t), wasm)
}

// replayConfig is a configuration with nothing configured, as aios replay builds, but the test
// binary's compiled-module cache, so that each replay does not compile the agent again.
func replayConfig(t *testing.T) config.Config {
	cfg := config.Config{DataDir: t.TempDir()}
	shareCompileCache(t, cfg.DataDir)
	return cfg
}

func TestDurableRunReplaysIdentically(t *testing.T) {
	store, rec, wasm, output := recordDurable(t)
	// Loaded under another name: the replay's argv[0] is still the recorded one.
	a := loadDurableAs(t, replayConfig(t), "renamed", wasm)
	rep, err := a.Replay(context.Background(), store, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Identical() {
		t.Fatalf("replay diverged: %v", rep.Divergence)
	}
	if rep.Replayed != rep.Calls || rep.Calls != rec.Calls {
		t.Errorf("replayed %d of %d calls; the run recorded %d", rep.Replayed, rep.Calls, rec.Calls)
	}
	if !bytes.Equal(rep.Result.Output, output) {
		t.Errorf("replay output\n%s\nrecorded\n%s", rep.Result.Output, output)
	}
	if u := rep.Result.Usage; u.Generations != 0 || u.InputTokens != 0 {
		t.Errorf("the replay generated: %+v", u)
	}
	calls, _ := JournalCalls(store, rec.ID)
	names := map[string]bool{}
	for _, c := range calls {
		names[c.Name] = true
	}
	for _, n := range []string{"clock_time_get", "poll_oneoff", "llm_generate", "submit", "storage_put", "storage_get", "memory_add", "memory_get"} {
		if !names[n] {
			t.Errorf("the journal has no %s call: %v", n, names)
		}
	}
}

func TestReplayRefusesAnotherModule(t *testing.T) {
	store, rec, wasm, _ := recordDurable(t)
	// The same code with a custom section added is another module.
	other := append(bytes.Clone(wasm), 0, 5, 3, 'a', 'b', 'c', 'x')
	_, err := replayAgent(t, other).Replay(context.Background(), store, rec.ID)
	if !errors.Is(err, ErrModuleMismatch) || !strings.Contains(err.Error(), rec.Digest) {
		t.Fatalf("replay with another module: %v, want ErrModuleMismatch naming %s", err, rec.Digest)
	}
	same := replayAgent(t, wasm)
	for _, abi := range []string{"2.0", "0.9", "1.99", "1", "1.x", "", "1.3\n"} {
		other := rec
		other.ID, other.ABI = rec.ID+"-abi", abi
		if err := store.SaveRun(other); err != nil {
			t.Fatal(err)
		}
		_, err = same.Replay(context.Background(), store, other.ID)
		if !errors.Is(err, ErrABIMismatch) {
			t.Fatalf("replay of a run recorded under ABI %q: %v, want ErrABIMismatch", abi, err)
		}
	}
}

// TestReplayOfAnOlderMinorVersion: a run recorded by a host of an older minor version of the
// ABI replays on this one (the agent negotiates as it did then), and so does one of this host's.
func TestReplayOfAnOlderMinorVersion(t *testing.T) {
	store, rec, wasm, _ := recordDurable(t)
	id := copyRun(t, store, rec, func(int, *hostcalls.Call) bool { return true })
	older, err := store.Run(id)
	if err != nil {
		t.Fatal(err)
	}
	older.ABI = "1.3"
	if err := store.SaveRun(older); err != nil {
		t.Fatal(err)
	}
	a := replayAgent(t, wasm)
	for _, run := range []string{rec.ID, id} {
		rep, err := a.Replay(context.Background(), store, run)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Divergence != nil {
			t.Fatalf("replay of %s (ABI %s): %v", run, rep.Run.ABI, rep.Divergence)
		}
	}
}

// copyRun saves rec's journal as a new run with edit applied to each call.
func copyRun(t *testing.T, store *journal.Store, rec journal.Run, edit func(i int, c *hostcalls.Call) bool) string {
	t.Helper()
	calls, err := JournalCalls(store, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec.ID = journal.NewID() + "-edited"
	if err := store.SaveRun(rec); err != nil {
		t.Fatal(err)
	}
	w, err := store.OpenWriter(rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i, c := range calls {
		if !edit(i, c) {
			break
		}
		b, _ := json.Marshal(c)
		if err := w.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	return rec.ID
}

func TestReplayFindsAnEditedJournal(t *testing.T) {
	store, rec, wasm, _ := recordDurable(t)
	calls, _ := JournalCalls(store, rec.ID)
	gen := -1
	for i, c := range calls {
		if c.Name == "llm_generate" {
			gen = i
			break
		}
	}
	cases := []struct {
		name  string
		edit  func(i int, c *hostcalls.Call) bool
		index int
		what  string
	}{
		{"request digest", func(i int, c *hostcalls.Call) bool {
			if i == gen {
				c.ReadSum[0] ^= 1
			}
			return true
		}, gen, "request"},
		{"params", func(i int, c *hostcalls.Call) bool {
			if i == 1 {
				c.Params[len(c.Params)-1]++
			}
			return true
		}, 1, calls[1].Name},
		{"cut short", func(i int, c *hostcalls.Call) bool { return i < gen }, gen, "end of the journal"},
		{"realtime clock value", func(i int, c *hostcalls.Call) bool {
			if c.Name == "clock_time_get" && c.Params[0] == 0 && len(c.Writes) > 0 {
				c.Writes[0].Data[3]++
			}
			return true
		}, len(calls), "output"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := copyRun(t, store, rec, tc.edit)
			rep, err := replayAgent(t, wasm).Replay(context.Background(), store, id)
			if err != nil {
				t.Fatal(err)
			}
			d := rep.Divergence
			if d == nil || d.Index != tc.index || !strings.Contains(d.Error(), tc.what) {
				t.Fatalf("divergence %v, want one at call %d about %q", d, tc.index, tc.what)
			}
		})
	}
}

func TestDurableRunEndsWhenItsJournalIsFull(t *testing.T) {
	wasm, err := durableAgent()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	shareCompileCache(t, cfg.DataDir)
	a := loadDurable(t, cfg, wasm)
	store, err := journal.Open(filepath.Join(cfg.DataDir, JournalDir), journal.Options{MaxRunBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	res, rec, err := a.RunDurable(context.Background(), store, journal.Run{Module: "durable.wasm"}, RunOptions{Input: []byte("q")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || !errors.Is(res.Err, journal.ErrRunFull) && !strings.Contains(res.Err.Error(), "journal is full") {
		t.Fatalf("run with a 4 KiB journal ended %d, %v; want the journal-full trap", res.ExitCode, res.Err)
	}
	if rec.Status != journal.Failed || !strings.Contains(rec.Error, "journal is full") {
		t.Errorf("record %s: %q", rec.Status, rec.Error)
	}
	calls, _ := JournalCalls(store, rec.ID)
	if len(calls) != rec.Calls || len(calls) == 0 {
		t.Errorf("%d calls in the journal, the record says %d", len(calls), rec.Calls)
	}
}

func TestResumeGivesUpOnARunThatKeepsCrashing(t *testing.T) {
	store, rec, wasm, output := recordDurable(t)
	a := replayAgent(t, wasm)
	rec.Status = journal.Running // as a crash would have left it
	if err := store.SaveRun(rec); err != nil {
		t.Fatal(err)
	}
	res, got, err := a.Resume(context.Background(), store, rec.ID, RunOptions{})
	if err != nil || !bytes.Equal(res.Output, output) || got.Status != journal.Finished || got.Resumes != 1 {
		t.Fatalf("resume of a fully journaled run: %v, status %s, %d resumes, output %q", err, got.Status, got.Resumes, res.Output)
	}
	if res.Usage.Generations != 0 {
		t.Errorf("the resume generated %d times; everything was journaled", res.Usage.Generations)
	}
	_, _, err = a.Resume(context.Background(), store, rec.ID, RunOptions{})
	if !errors.Is(err, ErrNotResumable) {
		t.Fatalf("resume of a finished run: %v, want ErrNotResumable", err)
	}

	got.Status, got.Resumes = journal.Running, MaxResumes // it crashed on each resume
	if err := store.SaveRun(got); err != nil {
		t.Fatal(err)
	}
	_, _, err = a.Resume(context.Background(), store, rec.ID, RunOptions{})
	if !errors.Is(err, ErrResumeLimit) {
		t.Fatalf("resume of a run resumed %d times: %v, want ErrResumeLimit", MaxResumes, err)
	}
	final, _ := store.Run(rec.ID)
	if final.Status != journal.Failed || !strings.Contains(final.Error, "never ended") {
		t.Errorf("the run is %s: %q; want failed with the reason", final.Status, final.Error)
	}
}
