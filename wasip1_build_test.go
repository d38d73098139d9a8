package aios

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// goBuildWasip1 builds Go package pkg of dir (relative to the repository root) for
// GOOS=wasip1 GOARCH=wasm into out; flags go before the package (e.g. -buildmode=c-shared).
func goBuildWasip1(dir, pkg, out string, flags ...string) error {
	args := append(append([]string{"build"}, flags...), "-o", out, pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, b)
	}
	return nil
}

// wasip1Module is goBuildWasip1 into a temporary file, read back.
func wasip1Module(dir, pkg string, flags ...string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "aios-test-wasip1-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := tmp + "/module.wasm"
	if err := goBuildWasip1(dir, pkg, out, flags...); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}
