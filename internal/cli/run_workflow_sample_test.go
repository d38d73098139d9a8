package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkflowSamplePipeline runs samples/pipeline/pipeline.toml as its README says, with the
// agent built where the file expects it (bin/samples/pipeline.wasm, two levels up): the three
// checks, then build, then deploy approved by --yes; rollback is not needed.
func TestWorkflowSamplePipeline(t *testing.T) {
	root := t.TempDir()
	sample := filepath.Join("..", "..", "samples", "pipeline")
	wasip1Build(t, filepath.Join("..", "..", "samples"), "./pipeline", filepath.Join(root, "bin", "samples", "pipeline.wasm"))
	dir := filepath.Join(root, "samples", "pipeline")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"pipeline.toml", "service.md"} {
		data, err := os.ReadFile(filepath.Join(sample, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AIOS_DATA_DIR", filepath.Join(root, "data"))
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "xdg"))
	var stdout, stderr bytes.Buffer
	code := Main([]string{"run", filepath.Join(dir, "pipeline.toml"), "--input", "@" + filepath.Join(dir, "service.md"), "--yes"},
		strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{
		"aios: step deploy: approved by --yes",
		"security: info: security: asking the model",
		"build: info: build: asking the model",
		"rollback        skipped    0         -",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	// deploy's output is the echo core's reply to its instructions and build's report, which
	// holds the three checks' reports.
	out := stdout.String()
	for _, want := range []string{"echo: Write the deployment announcement", "## build", "## security", "payments-api 2.4.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
