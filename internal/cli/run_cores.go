package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/kernel/llm"
)

// coreProbeTimeout bounds `aios run`'s start-up check of each core's backend.
const coreProbeTimeout = 2 * time.Second

// checkCores probes the system's cores before the agent starts. When none answers, the run
// would only retry every generation until it gave up: it fails at once (ExitKernel) naming each
// core, its address and the error. When some answer, it warns about the others and goes on.
func checkCores(ctx context.Context, io *IOStreams, sys *aios.System) error {
	reach := sys.ProbeCores(ctx, coreProbeTimeout)
	var down []llm.Reach
	for _, r := range reach {
		if r.Err != nil {
			down = append(down, r)
		}
	}
	if len(down) == 0 {
		return nil
	}
	if len(down) < len(reach) {
		for _, r := range down {
			fmt.Fprintf(io.ErrOut, "aios: warning: core %s is unreachable (%s: %v); generations go to the other cores\n", r.Core, r.URL, r.Err)
		}
		return nil
	}
	var b strings.Builder
	b.WriteString("no LLM core is reachable:")
	for _, r := range down {
		fmt.Fprintf(&b, "\n  core %s at %s: %v", r.Core, r.URL, r.Err)
	}
	b.WriteString("\nstart the backend, or correct the core's base_url in the configuration ([[cores]] in aios.toml), and run again")
	return exitWith(ExitKernel, fmt.Errorf("%s", b.String()))
}
