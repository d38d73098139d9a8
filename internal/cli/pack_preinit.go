package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/runtime/preinit"
)

// preinitTimeout bounds a module's _initialize at pack time: far more than any real
// initialisation takes, it stops one that never ends.
const preinitTimeout = 2 * time.Minute

// preinitialise runs the module's _initialize (runtime/preinit) and returns the
// pre-initialised module, the manifest's record of it, and a note for pack's summary.
func preinitialise(ctx context.Context, path string, module []byte) ([]byte, *bundle.Preinit, string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if b, err := bundle.Open(module); err == nil && b.Manifest().Preinit != nil {
		return nil, nil, "", exitWith(ExitRefused, fmt.Errorf("%s is already pre-initialised (from %s): pack the original module",
			path, b.Manifest().Preinit.From))
	}
	ctx, cancel := context.WithTimeoutCause(ctx, preinitTimeout,
		fmt.Errorf("_initialize ran for %v without finishing", preinitTimeout))
	defer cancel()
	res, err := preinit.Run(ctx, module)
	if err != nil {
		var refused *preinit.RefusedError
		if errors.As(err, &refused) {
			return nil, nil, "", exitWith(ExitRefused, fmt.Errorf("%s: %w", path, err))
		}
		return nil, nil, "", exitWith(ExitRefused, fmt.Errorf("%s: pre-initialise: %w", path, err))
	}
	p := &bundle.Preinit{From: res.From}
	for _, f := range res.Fixed {
		if isNondeterministic(f.Call) {
			p.Fixed = append(p.Fixed, f.Call)
		}
	}
	note := fmt.Sprintf(", pre-initialised: %s of memory", formatMiB(res.MemoryBytes))
	return res.Module, p, note, nil
}

// isNondeterministic names the calls whose fixed answer during pre-initialisation differs from
// what a run would get (the clock, random bytes, arguments, environment), as opposed to those
// aios answers the same way in every run anyway.
func isNondeterministic(call string) bool {
	switch call {
	case "wasi_snapshot_preview1.clock_time_get", "wasi_snapshot_preview1.random_get",
		"wasi_snapshot_preview1.args_sizes_get", "wasi_snapshot_preview1.environ_sizes_get":
		return true
	}
	return false
}

func formatMiB(n uint64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
