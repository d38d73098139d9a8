package cli

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A run whose only core refuses connections ends within a few seconds with exit 70 and a
// message naming the core, its address and the error, not after every retry's backoff.
func TestRunFailsFastWhenNoCoreIsReachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aios.toml")
	toml := "data_dir = \"" + filepath.Join(dir, "data") + "\"\n[[cores]]\nname = \"local\"\nkind = \"openai\"\nbase_url = \"http://" + addr + "/v1\"\nmodels = [\"m\"]\n"
	if err := os.WriteFile(cfg, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := Main([]string{"run", filepath.Join("..", "..", "testdata", "minimal.wasm"), "--config", cfg}, strings.NewReader(""), &stdout, &stderr)
	took := time.Since(start)
	if code != ExitKernel {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitKernel, stderr.String())
	}
	if took > 5*time.Second {
		t.Errorf("took %s, want a few seconds at most", took)
	}
	want := "core local at http://" + addr + "/v1/models: dial tcp " + addr + ": connect: connection refused"
	if s := stderr.String(); !strings.Contains(s, "no LLM core is reachable") || !strings.Contains(s, want) {
		t.Errorf("stderr:\n%s\nwant it to name the core, its address and the error (%q)", s, want)
	}
}
