package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/server"
)

// lockedBuffer is a bytes.Buffer safe for a server goroutine writing and a test reading.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestKernelServeRunsAnAgentAndStopsOnCancel(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "aios.toml")
	if err := os.WriteFile(cfgPath, []byte("data_dir = \""+filepath.Join(dir, "data")+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	token, line, err := server.NewToken("alice")
	if err != nil {
		t.Fatal(err)
	}
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	addrs := make(chan net.Addr, 1)
	o := &KernelServeOptions{IO: &IOStreams{Out: &bytes.Buffer{}, ErrOut: stderr}, Listen: "127.0.0.1:0",
		ConfigPath: cfgPath, TokensFile: tokens, Grace: time.Minute, KeepRuns: 10, EventBuffer: 100,
		ApprovalTimeout: time.Minute, Engine: "wazero", LogFormat: "json", ready: func(a net.Addr) { addrs <- a }}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- runKernelServe(ctx, o) }()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-served:
		t.Fatalf("serve ended early: %v\n%s", err, stderr)
	case <-time.After(2 * time.Minute):
		t.Fatal("the server did not start")
	}
	wasm, err := os.ReadFile(filepath.Join("..", "..", "testdata", "minimal.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	c := client.New("http://"+addr.String(), token)
	run, err := c.Submit(ctx, client.RunRequest{Module: wasm})
	if err != nil {
		t.Fatal(err)
	}
	for e, err := range c.Events(ctx, run.ID, 0) {
		if err != nil {
			t.Fatal(err)
		}
		_ = e
	}
	if out, err := c.Output(ctx, run.ID); err != nil || string(out) != "hello from wasm" {
		t.Fatalf("output = %q, %v", out, err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr.String()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	requestID := resp.Header.Get("X-Request-Id")
	for _, want := range []string{`aios_syscalls_total{call="start",decision="allow"} 1`, `aios_runs{state="exited"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("GET /metrics lacks %s:\n%s", want, metrics)
		}
	}
	if _, err := client.New("http://"+addr.String(), "wrong").Runs(ctx); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a wrong token: %v, want 401", err)
	}
	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the server did not stop")
	}
	// With --log-format json every line is a record, aios kernel's own lines too.
	recs := jsonRecords(t, stderr.String())
	for _, want := range []map[string]any{
		{"msg": "serving http://" + addr.String() + " (tokens from " + tokens + ")"},
		{"msg": "request", "path": "/metrics", "request_id": requestID},
		{"msg": "run started", "run": run.ID, "tenant": "alice"},
		{"msg": "run ended", "run": run.ID, "status": "exited"},
		{"msg": "stopped"},
	} {
		if find(recs, want) == nil {
			t.Errorf("stderr has no record with %v:\n%s", want, stderr)
		}
	}
}

func TestKernelServeRefusesAnOpenAddressWithoutTokens(t *testing.T) {
	t.Setenv(EnvTokensFile, "")
	var stdout, stderr bytes.Buffer
	code := Main([]string{"kernel", "serve", "--listen", "0.0.0.0:0"}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitUsage || !strings.Contains(stderr.String(), "bearer tokens are required") {
		t.Fatalf("exit %d, stderr %q; want 64 and a reason", code, stderr.String())
	}
}

func TestKernelTokenPrintsTheLineAndTheToken(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"kernel", "token", "--tenant", "alice"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	token := regexp.MustCompile(`aios_[0-9a-f]{64}`).FindString(stderr.String())
	if token == "" {
		t.Fatalf("no token on stderr: %q", stderr.String())
	}
	tokens, err := server.ParseTokens(strings.NewReader(stdout.String()))
	if err != nil {
		t.Fatal(err)
	}
	if tenant, ok := tokens.Tenant(token); !ok || tenant != "alice" || strings.Contains(stdout.String(), token) {
		t.Fatalf("line %q does not map the token to alice, or holds the token itself", stdout.String())
	}
	if code := Main([]string{"kernel", "token", "--tenant", "bad\nname"}, strings.NewReader(""), &stdout, &stderr); code != ExitUsage {
		t.Fatalf("a bad tenant name: exit %d, want 64", code)
	}
}
