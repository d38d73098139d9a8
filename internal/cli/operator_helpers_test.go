package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// operatorEnv is a data directory and a configuration file naming it, for the operator
// commands (tools, memory, storage).
type operatorEnv struct {
	dir, config string
}

// newOperatorEnv writes toml (may be empty) as aios.toml beside a data directory, which
// $AIOS_DATA_DIR names.
func newOperatorEnv(t *testing.T, toml string) operatorEnv {
	t.Helper()
	root := t.TempDir()
	e := operatorEnv{dir: filepath.Join(root, "data"), config: filepath.Join(root, "aios.toml")}
	if err := os.WriteFile(e.config, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AIOS_DATA_DIR", e.dir)
	return e
}

// run runs aios with args and --config, returning its exit code, stdout and stderr.
func (e operatorEnv) run(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := Main(append(args, "--config", e.config), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustRun runs aios and fails the test unless it exits 0.
func (e operatorEnv) mustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	code, out, errs := e.run(args...)
	if code != 0 {
		t.Fatalf("aios %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out, errs
}

// mustRunOut is mustRun's stdout.
func (e operatorEnv) mustRunOut(t *testing.T, args ...string) string {
	t.Helper()
	out, _ := e.mustRun(t, args...)
	return out
}
