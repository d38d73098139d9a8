package aios

import (
	"context"
	"time"

	"github.com/aiosys/aios/kernel/llm"
)

// ProbeCores asks each core's backend, concurrently and each within timeout, whether it
// answers at all; see llm.ProbeAll. `aios run` uses it to fail fast when no core is reachable
// instead of retrying every generation against dead backends. When some cores answer, those
// that do not are cooled down (dispatch.Dispatcher.CoolDown), so that the first generations
// go to the live ones rather than each retrying a dead one first.
func (s *System) ProbeCores(ctx context.Context, timeout time.Duration) []llm.Reach {
	reach := llm.ProbeAll(ctx, s.cores, timeout)
	var down []string
	for _, r := range reach {
		if r.Err != nil {
			down = append(down, r.Core)
		}
	}
	if s.router != nil && len(down) < len(reach) {
		for _, name := range down {
			s.router.CoolDown(name)
		}
	}
	return reach
}
