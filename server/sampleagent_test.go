package server

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// sampleAgents are the sample agents built for the test binary, by name.
var sampleAgents sync.Map // name → func() ([]byte, error)

// sampleAgent builds samples/NAME for wasip1 once per test binary and returns the module.
func sampleAgent(t *testing.T, name string) []byte {
	t.Helper()
	build, _ := sampleAgents.LoadOrStore(name, sync.OnceValues(func() ([]byte, error) {
		dir, err := os.MkdirTemp("", "aios-sample-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, name+".wasm")
		cmd := exec.Command("go", "build", "-o", out, "./"+name)
		cmd.Dir = filepath.Join("..", "samples")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build samples/%s for wasip1: %v\n%s", name, err, b)
		}
		return os.ReadFile(out)
	}))
	wasm, err := build.(func() ([]byte, error))()
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}
