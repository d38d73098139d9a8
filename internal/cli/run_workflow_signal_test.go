package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWorkflowInterrupt sends SIGINT while two steps of a workflow are blocked in LLM calls
// that would take an hour: both are cancelled, the step after them never starts, the table is
// printed, --json's summary says 130 and aios exits 130.
func TestWorkflowInterrupt(t *testing.T) {
	dir := t.TempDir()
	wasip1Build(t, filepath.Join("..", "..", "samples"), "./hello", filepath.Join(dir, "hello.wasm"))
	files := map[string]string{
		"aios.toml": "[[cores]]\nname = \"slow\"\nkind = \"echo\"\nlatency = \"1h\"\n",
		"wf.toml": `
[[steps]]
id = "left"
agent = "hello.wasm"
[[steps]]
id = "right"
agent = "hello.wasm"
[[steps]]
id = "join"
agent = "hello.wasm"
inputs = ["left", "right"]
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := startAios(t, dir, "run", "wf.toml", "--config", "aios.toml", "--input", "Why?", "--json")
	p.waitFor(p.stderr, ": info: asking: Why?", 2)
	p.signal(os.Interrupt)
	if code := p.wait(); code != 130 {
		t.Fatalf("exit code %d, want 130; stderr:\n%s", code, p.stderr)
	}
	for _, want := range []string{
		"aios: interrupted by SIGINT; stopping the agents (press Ctrl-C again to quit now)",
		"aios: step left: cancelled: the workflow was interrupted",
		"aios: step right: cancelled: the workflow was interrupted",
		"aios: step join: cancelled: the workflow was interrupted",
		"aios: interrupted by SIGINT",
	} {
		if n, _ := p.stderr.count(want); n == 0 {
			t.Errorf("stderr lacks %q:\n%s", want, p.stderr)
		}
	}
	if n, _ := p.stdout.count(`"event":"workflow","exit_code":130,`); n != 1 {
		t.Errorf("--json's summary does not say exit 130:\n%s", p.stdout)
	}
	if n, _ := p.stderr.count("aios: step join: running"); n != 0 {
		t.Errorf("join started after the interrupt:\n%s", p.stderr)
	}
}
