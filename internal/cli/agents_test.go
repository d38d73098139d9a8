package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildAgents prepares the agents the scripts run: a directory with the repository's
// testdata/*.wasm fixtures plus goagent.wasm, and one with the sample agents, each built from
// source with GOOS=wasip1 GOARCH=wasm (Go's build cache makes repeat builds quick).
func buildAgents(t *testing.T) (fixtures, samples, plugins string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	fixtures, samples, plugins = t.TempDir(), t.TempDir(), t.TempDir()
	wasms, err := filepath.Glob(filepath.Join(root, "testdata", "*.wasm"))
	if err != nil || len(wasms) == 0 {
		t.Fatalf("no fixtures in testdata (%v)", err)
	}
	for _, w := range wasms {
		data, err := os.ReadFile(w)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(fixtures, filepath.Base(w)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wasip1Build(t, filepath.Join(root, "testdata", "goagent"), ".", filepath.Join(fixtures, "goagent.wasm"))
	for _, name := range []string{"hello", "fanout", "react"} {
		wasip1Build(t, filepath.Join(root, "samples"), "./"+name, filepath.Join(samples, name+".wasm"))
	}
	wasip1Build(t, filepath.Join(root, "plugins", "textkit"), "-buildmode=c-shared", filepath.Join(plugins, "textkit.wasm"))
	for _, name := range []string{"parent", "worker"} { // agents that start agents (ABI 1.3)
		wasip1Build(t, filepath.Join(root, "testdata", "agents"), "./"+name, filepath.Join(fixtures, name+".wasm"))
	}
	return fixtures, samples, plugins
}

// wasip1Build builds pkg in dir for GOOS=wasip1 into out; pkg "-buildmode=c-shared" builds the
// module in dir as a reactor (an Extism plugin).
func wasip1Build(t *testing.T, dir, pkg, out string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if pkg == "-buildmode=c-shared" {
		cmd = exec.Command("go", "build", pkg, "-o", out, ".")
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build %s in %s: %v\n%s", pkg, dir, err, stderr.Bytes())
	}
}
