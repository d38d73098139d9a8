package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aiosys/aios/runtime"
)

// maxReplicas bounds --replicas: each replica is a live instance with its own linear memory,
// so a mistyped count must not try to start a million of them.
const maxReplicas = 10_000

// check refuses flag values that mean nothing, as usage errors (64), before anything is read or
// started. Zero limits are fine: they leave the limit to the manifest, config and defaults.
func (o *RunOptions) check() error {
	switch {
	case o.Replicas < 1:
		return exitWith(ExitUsage, fmt.Errorf("--replicas must be at least 1, not %d", o.Replicas))
	case o.Replicas > maxReplicas:
		return exitWith(ExitUsage, fmt.Errorf("--replicas must be at most %d, not %d", maxReplicas, o.Replicas))
	case o.Timeout < 0:
		return exitWith(ExitUsage, fmt.Errorf("--timeout must not be negative, not %s (0 leaves the limit to the manifest and config)", o.Timeout))
	}
	if err := checkLogFormat(o.LogFormat); err != nil {
		return err
	}
	return checkEngine(o.Engine)
}

// checkEngine refuses an engine this build does not have.
func checkEngine(name string) error {
	engines := runtime.Engines()
	switch {
	case slices.Contains(engines, name):
		return nil
	case name == "wasmtime":
		return exitWith(ExitUsage, fmt.Errorf("--engine wasmtime: this aios was built without it (build with -tags wasmtime)"))
	}
	return exitWith(ExitUsage, fmt.Errorf("--engine %q: want %s", name, strings.Join(engines, " or ")))
}

// wasmPage is the unit of WebAssembly linear memory: a --memory below it could not hold any.
const wasmPage = 64 << 10
