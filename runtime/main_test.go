package runtime

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// goAgentPath is testdata/goagent built for GOOS=wasip1 by TestMain.
var goAgentPath string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "aios-runtime-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "TestMain:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	goAgentPath = filepath.Join(dir, "goagent.wasm")
	cmd := exec.Command("go", "build", "-o", goAgentPath, "./testdata/goagent")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "TestMain: build testdata/goagent: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// goAgent returns the built Go program.
func goAgent(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(goAgentPath)
	if err != nil {
		tb.Fatalf("go agent: %v", err)
	}
	return b
}
