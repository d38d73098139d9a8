package aios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel"
)

// failingProxy forwards generations to the simulator, counting them by their last message,
// and answers 503 to the first fails[prompt] generations of a prompt instead (-1: all).
type failingProxy struct {
	mu     sync.Mutex
	fails  map[string]int
	counts map[string]int
}

func newFailingProxy(t *testing.T, fails map[string]int) (*failingProxy, string) {
	t.Helper()
	sim := simtest.Start(t)
	u, err := url.Parse(sim)
	if err != nil {
		t.Fatal(err)
	}
	p := &failingProxy{fails: fails, counts: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat/completions") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct {
				Messages []struct {
					Content string `json:"content"`
				} `json:"messages"`
			}
			if json.Unmarshal(body, &req) == nil && len(req.Messages) > 0 {
				prompt := req.Messages[len(req.Messages)-1].Content
				p.mu.Lock()
				p.counts[prompt]++
				fail := p.fails[prompt] < 0 || p.counts[prompt] <= p.fails[prompt]
				p.mu.Unlock()
				if fail {
					http.Error(w, `{"error":{"message":"injected: the backend is down"}}`, http.StatusServiceUnavailable)
					return
				}
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return p, srv.URL + u.Path
}

func (p *failingProxy) sent(prompt string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[prompt]
}

func (p *failingProxy) set(prompt string, fails int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails[prompt] = fails
}

// restartSystem loads the durable test agent on a system whose one core is base, trying each
// generation once (a failure reaches the agent), with the [durable] configuration d.
func restartSystem(t *testing.T, base string, d config.Durable) (*Agent, *journal.Store) {
	t.Helper()
	wasm, err := durableAgent()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	shareCompileCache(t, cfg.DataDir)
	cfg.Cores = []config.Core{openaiCore("sim", base, 4)}
	cfg.Scheduler = fastScheduler()
	cfg.Scheduler.MaxAttempts, cfg.Scheduler.FailureThreshold = 1, 1000
	cfg.Durable = d
	a := loadDurable(t, cfg, wasm)
	store, err := journal.Open(filepath.Join(cfg.DataDir, JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return a, store
}

// notices collects the restart notices a run's Events are told.
type notices struct {
	mu   sync.Mutex
	text []string
}

func (n *notices) event(e kernel.Event) {
	if e.Kind == kernel.EventRetry && strings.HasPrefix(e.Text, "restarted") {
		n.mu.Lock()
		n.text = append(n.text, e.Text)
		n.mu.Unlock()
	}
}

func rounds(n int) (string, string) {
	var want string
	for i := range n {
		want += fmt.Sprintf("round %d: sky\n", i)
	}
	return fmt.Sprintf("rounds %d sky", n), want
}

// TestRestartRetriesTheFailedCallOnly runs an agent whose third generation fails once (the
// backend answers 503): with on-failure it is restarted, the generations before the failed
// one are answered from its journal, the failed one is sent again, and it ends succeeded in
// its second attempt.
func TestRestartRetriesTheFailedCallOnly(t *testing.T) {
	proxy, base := newFailingProxy(t, map[string]int{"round 2: sky": 1})
	a, store := restartSystem(t, base, config.Durable{})
	input, want := rounds(4)
	var seen notices
	res, rec, err := a.RunDurable(context.Background(), store,
		journal.Run{Restart: journal.Restart{Policy: journal.OnFailure, Backoff: 20 * time.Millisecond}},
		RunOptions{Input: []byte(input), Events: seen.event})
	if err != nil || res.Err != nil || res.ExitCode != 0 || string(res.Output) != want {
		t.Fatalf("run: %v, %+v, output %q", err, res, res.Output)
	}
	if rec.Status != journal.Finished || rec.Attempt != 2 || rec.Restarts != 1 || len(rec.Backoffs) != 1 ||
		rec.Backoffs[0] != 20*time.Millisecond || !rec.RestartAt.IsZero() || !strings.Contains(rec.Failure, "exit code 1") {
		t.Fatalf("record %+v", rec)
	}
	for i, n := range []int{1, 1, 2, 1} {
		if got := proxy.sent(fmt.Sprintf("round %d: sky", i)); got != n {
			t.Errorf("round %d was sent %d times, want %d", i, got, n)
		}
	}
	if len(seen.text) != 1 || seen.text[0] != "restarted (attempt 2 of 4) after: exit code 1, in 20ms" {
		t.Errorf("restart notices %q", seen.text)
	}
	calls, _ := JournalCalls(store, rec.ID)
	if len(calls) != rec.Calls || lastFailedCall(calls) >= 0 {
		t.Errorf("the final journal holds %d calls (record: %d), a failed one at %d", len(calls), rec.Calls, lastFailedCall(calls))
	}
	rep, err := replayAgent(t, mustDurable(t)).Replay(context.Background(), store, rec.ID)
	if err != nil || !rep.Identical() {
		t.Fatalf("replay of the restarted run: %v %+v", err, rep)
	}
}

func mustDurable(t *testing.T) []byte {
	wasm, err := durableAgent()
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// TestRestartGivesUpAfterMaxRestarts fails one generation every time: the run is restarted
// max_restarts times with doubling backoffs, then failed with the last failure and the count.
func TestRestartGivesUpAfterMaxRestarts(t *testing.T) {
	proxy, base := newFailingProxy(t, map[string]int{"round 1: sky": -1})
	a, store := restartSystem(t, base, config.Durable{Restart: journal.Restart{Policy: journal.OnFailure, MaxRestarts: 3,
		Backoff: 10 * time.Millisecond, MaxBackoff: 30 * time.Millisecond}})
	input, _ := rounds(3)
	var seen notices
	res, rec, err := a.RunDurable(context.Background(), store, journal.Run{}, RunOptions{Input: []byte(input), Events: seen.event})
	if err != nil || res.ExitCode != 1 {
		t.Fatalf("run: %v, %+v", err, res)
	}
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}
	if rec.Status != journal.Failed || rec.Attempt != 4 || rec.Restarts != 3 || fmt.Sprint(rec.Backoffs) != fmt.Sprint(want) ||
		rec.Error != "exit code 1; restarted 3 times" {
		t.Fatalf("record %+v", rec)
	}
	if got := proxy.sent("round 0: sky"); got != 1 {
		t.Errorf("round 0 was sent %d times; it was journaled before every failure", got)
	}
	if got := proxy.sent("round 1: sky"); got != 4 {
		t.Errorf("round 1 was sent %d times, want 4 (1 + 3 restarts)", got)
	}
	if len(seen.text) != 3 || !strings.HasPrefix(seen.text[2], "restarted (attempt 4 of 4) after: exit code 1, in 30ms") {
		t.Errorf("restart notices %q", seen.text)
	}
}

// TestNeverDoesNotRestart is the default policy: a failed run stays failed.
func TestNeverDoesNotRestart(t *testing.T) {
	proxy, base := newFailingProxy(t, map[string]int{"round 0: sky": 1})
	a, store := restartSystem(t, base, config.Durable{Restart: journal.Restart{Backoff: time.Millisecond}})
	input, _ := rounds(2)
	res, rec, err := a.RunDurable(context.Background(), store, journal.Run{}, RunOptions{Input: []byte(input)})
	if err != nil || res.ExitCode != 1 {
		t.Fatalf("run: %v, %+v", err, res)
	}
	if rec.Restart.Policy != journal.Never || rec.Restarts != 0 || rec.Attempt != 1 || rec.Status != journal.Finished {
		t.Fatalf("record %+v", rec)
	}
	if got := proxy.sent("round 0: sky"); got != 1 {
		t.Errorf("round 0 was sent %d times", got)
	}
}

// TestDeterministicTrapIsNotRestarted runs a guest that traps with no failed call in its
// journal: restarting it would end the same way, so it is failed at once with the reason.
func TestDeterministicTrapIsNotRestarted(t *testing.T) {
	wasm, err := os.ReadFile("testdata/oob.wasm")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a := loadDurableAs(t, cfg, "oob", wasm)
	store, err := journal.Open(filepath.Join(cfg.DataDir, JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	res, rec, err := a.RunDurable(context.Background(), store, journal.Run{Restart: journal.Restart{Policy: journal.OnFailure}}, RunOptions{})
	if err != nil || res.Err == nil {
		t.Fatalf("run: %v, %+v", err, res)
	}
	if rec.Status != journal.Failed || rec.Restarts != 0 || rec.Attempt != 1 ||
		!strings.Contains(rec.Error, "not restarted: its journal holds no failed call, so the failure is deterministic") ||
		!strings.Contains(rec.Error, res.Err.Error()[:20]) {
		t.Fatalf("record %+v", rec)
	}
}

// TestRestartWaitIsCanceled cancels a run waiting for its backoff: it ends failed at once.
func TestRestartWaitIsCanceled(t *testing.T) {
	_, base := newFailingProxy(t, map[string]int{"round 0: sky": -1})
	a, store := restartSystem(t, base, config.Durable{})
	input, _ := rounds(1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := func(e kernel.Event) {
		if e.Kind == kernel.EventRetry && strings.HasPrefix(e.Text, "restarted") {
			cancel()
		}
	}
	res, rec, err := a.RunDurable(ctx, store, journal.Run{Restart: journal.Restart{Policy: journal.OnFailure, Backoff: time.Hour}},
		RunOptions{Input: []byte(input), Events: events})
	if err != nil || res == nil {
		t.Fatalf("run: %v, %+v", err, res)
	}
	if rec.Status != journal.Failed || rec.Restarts != 1 || rec.Error != "exit code 1; canceled while waiting to restart" {
		t.Fatalf("record %+v", rec)
	}
}

// TestResumeOfAPendingRestart is a kernel killed while a run waited for its backoff: the
// record is running with RestartAt set over a cut journal. Resume waits for RestartAt and
// restarts it, without counting a resume.
func TestResumeOfAPendingRestart(t *testing.T) {
	proxy, base := newFailingProxy(t, map[string]int{"round 1: sky": -1})
	a, store := restartSystem(t, base, config.Durable{})
	input, want := rounds(3)
	_, rec, err := a.RunDurable(context.Background(), store, journal.Run{}, RunOptions{Input: []byte(input)})
	if err != nil || rec.Status != journal.Finished || rec.ExitCode != 1 {
		t.Fatalf("run: %v %+v", err, rec)
	}
	// What afterAttempt leaves when the kernel is killed during the wait.
	calls, _ := JournalCalls(store, rec.ID)
	cut := lastFailedCall(calls)
	if cut < 0 || calls[cut].Name != "llm_generate" {
		t.Fatalf("the failed call is %d of %d", cut, len(calls))
	}
	if err := store.CutBack(rec.ID, cut); err != nil {
		t.Fatal(err)
	}
	rec.Status, rec.Ended, rec.ExitCode, rec.Output, rec.Calls = journal.Running, time.Time{}, 0, "", cut
	rec.Restart = journal.Restart{Policy: journal.OnFailure}.OrDefaults()
	rec.Restarts, rec.Attempt, rec.Backoffs = 1, 2, []time.Duration{time.Second}
	rec.RestartAt, rec.Failure = time.Now().Add(200*time.Millisecond), "exit code 1"
	if err := store.SaveRun(rec); err != nil {
		t.Fatal(err)
	}
	proxy.set("round 1: sky", 0)
	runs, _ := Interrupted(store)
	if len(runs) != 1 {
		t.Fatalf("interrupted runs: %+v", runs)
	}
	res, got, err := a.Resume(context.Background(), store, rec.ID, RunOptions{})
	if err != nil || string(res.Output) != want {
		t.Fatalf("resume: %v %+v", err, res)
	}
	if got.Status != journal.Finished || got.Resumes != 0 || got.Attempt != 2 || !got.RestartAt.IsZero() || time.Now().Before(rec.RestartAt) {
		t.Fatalf("record %+v", got)
	}
	if n := proxy.sent("round 0: sky"); n != 1 {
		t.Errorf("round 0 was sent %d times", n)
	}
}

func TestFailedCalls(t *testing.T) {
	call := func(module, name string, errno hostcalls.Errno) *hostcalls.Call {
		return &hostcalls.Call{Module: module, Name: name, Results: []uint64{uint64(errno)}}
	}
	aiosCall := func(name string, errno hostcalls.Errno) *hostcalls.Call {
		return call(hostcalls.ModuleAIOS, name, errno)
	}
	for _, c := range []struct {
		call *hostcalls.Call
		want bool
	}{
		{aiosCall("llm_generate", hostcalls.EBACKEND), true},
		{aiosCall("tool_call", hostcalls.ETIMEDOUT), true},
		{aiosCall("poll", hostcalls.ECANCELED), true},
		{aiosCall("storage_put", hostcalls.EINTERNAL), true},
		{aiosCall("tool_call", hostcalls.ELIMIT), true},
		{aiosCall("llm_generate", hostcalls.OK), false},
		{aiosCall("llm_generate", hostcalls.EINVAL), false},
		{aiosCall("storage_get", hostcalls.ENOENT), false},
		{aiosCall("poll", hostcalls.EAGAIN), false},
		{aiosCall("poll", hostcalls.ELIMIT), false},
		{aiosCall("wait", hostcalls.ETIMEDOUT), false},
		{aiosCall("stream_next", hostcalls.EEOF), false},
		{call(hostcalls.ModuleWASI, "clock_time_get", 28), false},
		{&hostcalls.Call{Module: hostcalls.ModuleAIOS, Name: "llm_generate", Trap: "boom"}, false},
	} {
		if got := failedCall(c.call); got != c.want {
			t.Errorf("%s %v: failed %v, want %v", c.call.Name, c.call.Results, got, c.want)
		}
	}
	calls := []*hostcalls.Call{aiosCall("llm_generate", hostcalls.EBACKEND), aiosCall("llm_generate", hostcalls.OK)}
	if i := lastFailedCall(calls); i != 0 {
		t.Errorf("lastFailedCall = %d", i)
	}
	if i := lastFailedCall(calls[1:]); i != -1 {
		t.Errorf("lastFailedCall of no failure = %d", i)
	}
	if s := failureOf(&Result{ExitCode: 3}, nil); s != "exit code 3" {
		t.Errorf("failureOf = %q", s)
	}
	long := failureOf(nil, fmt.Errorf("a\nb\x00%s\xff", strings.Repeat("x", 1<<20)))
	if len(long) > 510 || strings.Contains(long, "\n") || !strings.HasPrefix(long, "a b") {
		t.Errorf("failureOf a long error: %d bytes, %q...", len(long), long[:10])
	}
}

// TestMaxResumesIsConfigurable: [durable] max_resumes bounds the resumes of a run that keeps
// crashing, in place of MaxResumes.
func TestMaxResumesIsConfigurable(t *testing.T) {
	wasm, err := os.ReadFile("testdata/noop.wasm")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Durable.MaxResumes = 1
	a := loadDurableAs(t, cfg, "noop", wasm)
	store, err := journal.Open(filepath.Join(cfg.DataDir, JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec, _, err := a.BeginDurable(store, journal.Run{}, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec.Resumes = 1 // it crashed on its one resume
	if err := store.SaveRun(rec); err != nil {
		t.Fatal(err)
	}
	_, got, err := a.Resume(context.Background(), store, rec.ID, RunOptions{})
	if !errors.Is(err, ErrResumeLimit) || got.Status != journal.Failed || got.Error != "resumed 1 times and never ended; not resumed again" {
		t.Fatalf("resume: %v, %+v", err, got)
	}
}
