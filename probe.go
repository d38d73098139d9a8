package aios

import (
	"context"
	"time"

	"github.com/aiosys/aios/kernel/llm"
)

// ProbeCores asks each core's backend, concurrently and each within timeout, whether it
// answers at all; see llm.ProbeAll. `aios run` uses it to fail fast when no core is reachable
// instead of retrying every generation against dead backends.
func (s *System) ProbeCores(ctx context.Context, timeout time.Duration) []llm.Reach {
	return llm.ProbeAll(ctx, s.cores, timeout)
}
