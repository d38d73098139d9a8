package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildRustAgents builds the Rust agents the scripts run, with scripts/cargo.sh and the same
// commands as make rust and make test-rust (so a tree they built is reused as is), and copies
// them into a temporary directory: hello-rust.wasm (samples/hello-rust) and calls.wasm
// (sdk-rust/examples/calls.rs).
func buildRustAgents(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cargo := func(args ...string) {
		cmd := exec.Command(filepath.Join(root, "scripts", "cargo.sh"), args...)
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("scripts/cargo.sh %v: %v\n%s\n(scripts/ensure-rust.sh installs the Rust toolchain; make deps runs it)", args, err, stderr.Bytes())
		}
	}
	cargo("build", "--release", "--target", "wasm32-wasi", "--manifest-path", "samples/hello-rust/Cargo.toml")
	cargo("build", "--examples", "--target", "wasm32-wasi", "--manifest-path", "sdk-rust/Cargo.toml")
	dir := t.TempDir()
	for name, built := range map[string]string{
		"hello-rust.wasm": "samples/hello-rust/target/wasm32-wasi/release/hello-rust.wasm",
		"calls.wasm":      "sdk-rust/target/wasm32-wasi/debug/examples/calls.wasm",
	} {
		data, err := os.ReadFile(filepath.Join(root, built))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// buildResearchTeam builds the research team of samples/research into a temporary directory,
// the agents directory its scripts name: planner.wasm (Rust, built as make rust builds it),
// researcher.wasm and writer.wasm (Go).
func buildResearchTeam(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "cargo.sh"), "build", "--release", "--target", "wasm32-wasi",
		"--manifest-path", "samples/research/planner/Cargo.toml")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build samples/research/planner: %v\n%s\n(scripts/ensure-rust.sh installs the Rust toolchain; make deps runs it)", err, stderr.Bytes())
	}
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(root, "samples", "research", "planner", "target", "wasm32-wasi", "release", "planner.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "planner.wasm"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"researcher", "writer"} {
		wasip1Build(t, filepath.Join(root, "samples"), "./research/"+name, filepath.Join(dir, name+".wasm"))
	}
	return dir
}
