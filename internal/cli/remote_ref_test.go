package cli

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/packager/hub/hubtest"
	"github.com/aiosys/aios/server"
)

// TestRemoteRunPullsAHubReference publishes a bundle to a real hub on loopback and runs it on
// a kernel by reference: the kernel pulls it into its cache, verifies it and runs it; a
// reference the hub lacks is a missing input (66), as for a local run.
func TestRemoteRunPullsAHubReference(t *testing.T) {
	h := hubtest.Start(t, "", true)
	dir := t.TempDir()
	manifest := filepath.Join(dir, "minimal.toml")
	if err := os.WriteFile(manifest, []byte("name = \"minimal\"\nversion = \"1.0.0\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	packed := filepath.Join(dir, "minimal.wasm")
	if code, _, errOut := mainIn(t, "", "pack", remoteFixture("minimal"), "--manifest", manifest, "-o", packed); code != 0 {
		t.Fatalf("pack: exit %d:\n%s", code, errOut)
	}
	ref := h.Addr() + "/agents/minimal:1.0.0"
	if code, _, errOut := mainIn(t, hubtest.Password, "publish", packed, h.Addr()+"/agents/minimal", "-u", hubtest.User, "--password-stdin"); code != 0 {
		t.Fatalf("publish: exit %d:\n%s", code, errOut)
	}

	cache := filepath.Join(t.TempDir(), "bundles")
	k := newRemoteKernelWith(t, "", nil, func(o *server.Options) {
		o.Pull = hubPuller(bundle.TrustConfig{}, cache)
	})
	code, out, errOut := k.aios("run", ref)
	if code != 0 || out != "hello from wasm\n" {
		t.Fatalf("run %s: exit %d, stdout %q; stderr:\n%s", ref, code, out, errOut)
	}
	if !strings.Contains(errOut, "aios: minimal[run_") {
		t.Fatalf("the run is not named by the bundle's manifest:\n%s", errOut)
	}
	if code, _, errOut := k.aios("run", h.Addr()+"/agents/missing:1.0.0"); code != ExitNoInput || !strings.Contains(errOut, "not found") {
		t.Fatalf("missing reference: exit %d, want %d; stderr:\n%s", code, ExitNoInput, errOut)
	}
}

// TestServerWithoutPullerRefusesReferences: a kernel that pulls nothing says so (64), and a
// reference with a control character is refused (400) before any hub is asked.
func TestServerWithoutPullerRefusesReferences(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	if code, _, errOut := k.aios("run", "hub.example.com/agents/x:1"); code != ExitUsage || !strings.Contains(errOut, "pulls no hub references") {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitUsage, errOut)
	}
	k = newRemoteKernelWith(t, "", nil, func(o *server.Options) { o.Pull = hubPuller(bundle.TrustConfig{}, t.TempDir()) })
	_, err := k.client().Submit(context.Background(), client.RunRequest{Ref: "hub.example.com/agents/x\x1b[2J:1"})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || !strings.Contains(apiErr.Message, "control characters") {
		t.Fatalf("a reference with an escape: %v, want 400 naming control characters", err)
	}
}

// mainIn runs the CLI in-process with stdin and returns its exit code and streams.
func mainIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}
