package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/journal"
)

// failFirstProxy forwards to the simulator and answers 503 to the first fail generations.
func failFirstProxy(t *testing.T, fail int64) (*atomic.Int64, string) {
	t.Helper()
	sim := simtest.Start(t)
	u, err := url.Parse(sim)
	if err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat/completions") && sent.Add(1) <= fail {
			http.Error(w, `{"error":{"message":"injected by the test: the backend is down"}}`, http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &sent, srv.URL + u.Path
}

// restartServer is a durable test server whose one core is base, each generation tried once.
func restartServer(t *testing.T, base string, store *journal.Store, modules string) *testServer {
	toml := fmt.Sprintf("[[cores]]\nname = \"sim\"\nkind = \"openai\"\nbase_url = %q\nmodels = [\"sim-model\"]\n\n"+
		"[scheduler]\nmax_attempts = 1\nfailure_threshold = 1000\n\n[durable]\nbackoff = \"30ms\"\n", base)
	return newTestServer(t, toml, nil, Options{Journal: store, JournalModules: modules})
}

func openJournal(t *testing.T) *journal.Store {
	store, err := journal.Open(filepath.Join(t.TempDir(), "journal"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

func notices(t *testing.T, c *client.Client, id string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	var out []string
	for e, err := range c.Events(ctx, id, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Type == client.EventNotice {
			out = append(out, e.Text)
		}
	}
	return out
}

// TestServedRunRestartsOnFailure submits a run whose generation fails the first time (the
// agent traps) with restart on-failure: the kernel restarts it from its journal, says so in
// its events, and it exits normally in its second attempt.
func TestServedRunRestartsOnFailure(t *testing.T) {
	sent, base := failFirstProxy(t, 1)
	store := openJournal(t)
	srv := restartServer(t, base, store, filepath.Join(t.TempDir(), "modules"))
	c := srv.client("")
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	r, err := c.Submit(ctx, client.RunRequest{Module: fixture(t, "generate"), Name: "generate",
		Restart: &client.Restart{Policy: "on-failure", MaxRestarts: 2, Backoff: "40ms"}})
	if err != nil {
		t.Fatal(err)
	}
	final := waitFinal(t, c, r.ID)
	if final.Status != client.StatusExited || *final.ExitCode != 0 {
		t.Fatalf("run %+v", final)
	}
	var restarted bool
	for _, n := range notices(t, c, r.ID) {
		restarted = restarted || strings.HasPrefix(n, "restarted (attempt 2 of 3) after: ") && strings.HasSuffix(n, ", in 40ms")
	}
	if !restarted {
		t.Errorf("the events do not tell of the restart: %q", notices(t, c, r.ID))
	}
	rec, err := store.Run(r.ID)
	if err != nil || rec.Status != journal.Finished || rec.Attempt != 2 || rec.Restarts != 1 || rec.Restart.MaxRestarts != 2 {
		t.Fatalf("journal record %+v, %v", rec, err)
	}
	if n := sent.Load(); n != 2 {
		t.Errorf("%d generations sent, want 2", n)
	}
}

// TestServedPendingRestartSurvivesAKernelRestart: a kernel killed while a run waited for its
// backoff leaves it running with its restart time; the next kernel restarts it at that time
// (not counting a resume) and says so.
func TestServedPendingRestartSurvivesAKernelRestart(t *testing.T) {
	sent, base := failFirstProxy(t, 1<<40) // the first kernel's generations all fail
	store := openJournal(t)
	modules := filepath.Join(t.TempDir(), "modules")
	first := restartServer(t, base, store, modules)
	c := first.client("")
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	r, err := c.Submit(ctx, client.RunRequest{Module: fixture(t, "generate"), Name: "generate",
		Restart: &client.Restart{Policy: "on-failure", Backoff: "1h"}})
	if err != nil {
		t.Fatal(err)
	}
	var rec journal.Run
	for deadline := time.Now().Add(hangGuard); ; {
		if rec, err = store.Run(r.ID); err == nil && !rec.RestartAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run never waited to restart: %+v %v", rec, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The kernel dies: the record stays as it is. The next one starts sooner than the hour.
	rec.RestartAt = time.Now().Add(300 * time.Millisecond)
	if err := store.SaveRun(rec); err != nil {
		t.Fatal(err)
	}
	sent.Store(1 << 41) // the backend is back

	second := restartServer(t, base, store, modules)
	if n, err := second.ResumeInterrupted(); err != nil || n != 1 {
		t.Fatalf("ResumeInterrupted: %d, %v", n, err)
	}
	c2 := second.client("")
	final := waitFinal(t, c2, r.ID)
	if final.Status != client.StatusExited {
		t.Fatalf("run %+v", final)
	}
	var said bool
	for _, n := range notices(t, c2, r.ID) {
		said = said || strings.HasPrefix(n, "the kernel restarted while the run waited to restart (attempt 2 of 4) after: ")
	}
	if !said {
		t.Errorf("notices %q", notices(t, c2, r.ID))
	}
	got, _ := store.Run(r.ID)
	if got.Status != journal.Finished || got.Attempt != 2 || got.Resumes != 0 || time.Now().Before(rec.RestartAt) {
		t.Errorf("record %+v", got)
	}
}

// TestRunRequestRestartErrors: a kernel that is not durable refuses a restart policy, and a
// durable one refuses a policy it does not know, a bad count or a bad duration, with 400s
// that name what is wrong.
func TestRunRequestRestartErrors(t *testing.T) {
	plain := newTestServer(t, "", nil, Options{})
	durable := newTestServer(t, "", nil, Options{Journal: openJournal(t), JournalModules: filepath.Join(t.TempDir(), "m")})
	module := fixture(t, "noop")
	for _, c := range []struct {
		srv     *testServer
		restart any
		want    string
	}{
		{plain, map[string]any{"policy": "on-failure"}, "the kernel is not durable"},
		{durable, map[string]any{"policy": "always"}, `restart policy "always"`},
		{durable, map[string]any{"policy": ""}, "restart: policy"},
		{durable, map[string]any{"policy": "on-failure", "max_restarts": -1}, "max_restarts -1"},
		{durable, map[string]any{"policy": "on-failure", "max_restarts": 1 << 40}, "max_restarts"},
		{durable, map[string]any{"policy": "on-failure", "backoff": "soon"}, `backoff "soon"`},
		{durable, map[string]any{"policy": "on-failure", "max_backoff": "-1s"}, "max_backoff -1s"},
		{durable, map[string]any{"policy": "on-failure", "backoff": "9999h"}, "backoff 9999h0m0s"},
		{durable, map[string]any{"policy": "on-failure", "again": true}, "unknown field"},
	} {
		body, _ := json.Marshal(map[string]any{"module": module, "restart": c.restart})
		resp, err := c.srv.http().Post(c.srv.ts.URL+"/v1/runs", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(e.Error, c.want) {
			t.Errorf("restart %v: %d %q; want 400 naming %q", c.restart, resp.StatusCode, e.Error, c.want)
		}
	}
}
