package cli

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
)

// TestKernelServeDrainsOnSIGTERM runs a real `aios kernel serve` process: after SIGTERM it
// refuses new runs with 503 while a run waiting for an approval goes on; the approval is
// answered, the run ends, and the process exits 0.
func TestKernelServeDrainsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"aios.toml":    "[policy]\npaths = [\"confirm.rego\"]\n[[policy.grants]]\nagent = \"*\"\nmodels = [\"*\"]\nclasses = [\"*\"]\n",
		"confirm.rego": "package aios.policy\n\nobligations contains {\"confirm\": true} if input.call == \"llm_generate\"\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := startAios(t, dir, "kernel", "serve", "--listen", "127.0.0.1:0", "--config", "aios.toml", "--grace", "10m")
	p.waitFor(p.stderr, "aios kernel: serving http://", 1)
	addr := regexp.MustCompile(`serving (http://[0-9.:]+)`).FindStringSubmatch(p.stderr.String())
	if addr == nil {
		t.Fatalf("no address in %q", p.stderr)
	}
	c := client.New(addr[1], "")
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	wasm, err := os.ReadFile(filepath.Join("..", "..", "testdata", "generate.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.Submit(ctx, client.RunRequest{Module: wasm, Name: "generate"})
	if err != nil {
		t.Fatal(err)
	}
	var approval client.Approval
	for approval.ID == "" {
		as, err := c.Approvals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) > 0 {
			approval = as[0]
		}
		time.Sleep(10 * time.Millisecond)
	}

	p.signal(syscall.SIGTERM)
	p.waitFor(p.stderr, "aios kernel: stopping", 1)
	_, err = c.Submit(ctx, client.RunRequest{Module: wasm})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("submit while draining: %v, want 503", err)
	}
	// Follow the run from before the answer: once it ends, the server stops.
	events, streaming := make(chan client.Event, 1), make(chan struct{})
	go func() {
		var last client.Event
		for e, err := range c.Events(ctx, run.ID, 0) {
			if err != nil {
				break
			}
			if last.ID == 0 {
				close(streaming)
			}
			last = e
		}
		events <- last
	}()
	select {
	case <-streaming:
	case last := <-events:
		t.Fatalf("the stream ended early at %+v", last)
	}
	if _, err := c.Answer(ctx, approval.ID, true); err != nil {
		t.Fatal(err)
	}
	if last := <-events; last.Status != client.StatusExited {
		t.Fatalf("the run's last event %+v, want exited", last)
	}
	if code := p.wait(); code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, p.stderr)
	}
	p.waitFor(p.stderr, "aios kernel: stopped", 1)
}
