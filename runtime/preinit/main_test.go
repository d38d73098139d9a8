package preinit_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// goReactorPath is testdata/goreactor built as a reactor by TestMain.
var goReactorPath string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "aios-preinit-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "TestMain:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	goReactorPath = filepath.Join(dir, "goreactor.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", goReactorPath, ".")
	cmd.Dir = filepath.Join("..", "..", "testdata", "goreactor")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "TestMain: build testdata/goreactor: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// fixture returns testdata/name (built by testdata/build.sh), or the Go reactor.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	path := filepath.Join("..", "..", "testdata", name)
	if name == "goreactor.wasm" {
		path = goReactorPath
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("fixture: %v", err)
	}
	return b
}
