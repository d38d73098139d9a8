package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/limits"
)

// hangGuard bounds how long a test waits for something that should happen; reaching it is a
// hang, not slowness.
const hangGuard = 2 * time.Minute

// fixture reads testdata/NAME.wasm from the repository.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testServer is a Server over a real System behind a real HTTP listener on loopback.
type testServer struct {
	*Server
	sys  *aios.System
	ts   *httptest.Server
	t    *testing.T
	data string // the data directory
}

// newTestServer starts a server whose aios.toml is extraTOML (a data directory of its own is
// added); files are written beside it first (name → content).
func newTestServer(t *testing.T, extraTOML string, files map[string]string, opts Options) *testServer {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "aios.toml")
	toml := "data_dir = \"" + filepath.Join(dir, "data") + "\"\n" + extraTOML
	if err := os.WriteFile(path, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	sys, err := aios.New(ctx, cfg, aios.WithDecisionObserver(opts.Metrics.ObserveDecision))
	if err != nil {
		t.Fatal(err)
	}
	if opts.Limits == (limits.Limits{}) {
		opts.Limits = cfg.Limits
	}
	srv := New(sys, opts)
	ts := httptest.NewServer(srv.Handler())
	s := &testServer{Server: srv, sys: sys, ts: ts, t: t, data: cfg.DataDir}
	t.Cleanup(func() {
		ended, cancel := context.WithCancel(context.Background())
		cancel() // no grace: cancel what still runs
		_ = srv.Shutdown(ended)
		ts.Close()
		if err := sys.Close(context.Background()); err != nil {
			t.Errorf("close the system: %v", err)
		}
	})
	return s
}

// client returns an API client with token whose responses are checked against the OpenAPI
// document.
func (s *testServer) client(token string) *client.Client {
	return client.New(s.ts.URL, token, client.WithHTTPClient(&http.Client{Transport: newCheckedTransport(s.t)}))
}

// http returns a plain HTTP client whose responses are checked against the document.
func (s *testServer) http() *http.Client {
	return &http.Client{Transport: newCheckedTransport(s.t)}
}

// waitFinal polls the run until it reaches a final status.
func waitFinal(t *testing.T, c *client.Client, id string) client.Run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	for {
		r, err := c.Run(ctx, id)
		if err != nil {
			t.Fatalf("get run %s: %v", id, err)
		}
		if client.Final(r.Status) {
			return r
		}
		select {
		case <-ctx.Done():
			t.Fatalf("run %s did not end: %+v", id, r)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// submit starts a run of testdata/NAME.wasm and fails the test if it cannot.
func submit(t *testing.T, c *client.Client, name string, input string) client.Run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	r, err := c.Submit(ctx, client.RunRequest{Module: fixture(t, name), Name: name, Input: input})
	if err != nil {
		t.Fatalf("submit %s: %v", name, err)
	}
	return r
}
