package config

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/sched"
)

// Scheduler is the [scheduler] table: the policy that orders waiting generations and how the
// dispatcher places, retries and fails them over.
type Scheduler struct {
	// Kind is the policy: "fair-share" (default), "fifo", "round-robin", "priority" or "sjf".
	Kind string
	// Slice is how long a generation may hold a core before a waiting one preempts it
	// (round-robin, priority); zero is the policy's default.
	Slice time.Duration
	// Aging is how often a waiting generation ages a step (priority, sjf); zero is 1s.
	Aging time.Duration
	// AgingTokens is what a step of aging takes off an estimate (sjf); zero is 256.
	AgingTokens int
	// ByTenant makes fair share count service per tenant instead of per agent.
	ByTenant bool
	// Weights are fair-share weights by agent (or, with ByTenant, tenant) name; others get 1.
	Weights map[string]float64
	// Strategy chooses among the cores that can serve a request: "least-queue" (default),
	// "lowest-cost" or "lowest-latency".
	Strategy string
	// MaxAttempts is how many times a generation is tried before it fails.
	MaxAttempts int
	// Backoff bounds the wait before the first retry; it doubles up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// AttemptTimeout bounds one try on one core; zero is no bound.
	AttemptTimeout time.Duration
	// FailureThreshold is how many failures in a row cool a core down, for Cooldown.
	FailureThreshold int
	Cooldown         time.Duration
	// DefaultMaxTokens is the max_tokens of a request that sets none.
	DefaultMaxTokens int
}

// DefaultScheduler returns the [scheduler] values used for keys the file leaves out.
func DefaultScheduler() Scheduler {
	return Scheduler{
		Kind:             sched.KindFairShare,
		Strategy:         dispatch.LeastQueue,
		MaxAttempts:      4,
		Backoff:          250 * time.Millisecond,
		MaxBackoff:       10 * time.Second,
		AttemptTimeout:   5 * time.Minute,
		FailureThreshold: 3,
		Cooldown:         30 * time.Second,
		DefaultMaxTokens: 2048,
	}
}

// strategies lists the strategies the dispatcher knows, the default first.
var strategies = []string{dispatch.LeastQueue, dispatch.LowestCost, dispatch.LowestLatency}

func (s Scheduler) validate() error {
	if !slices.Contains(sched.Kinds, s.Kind) {
		return fmt.Errorf("kind %q is unknown; use one of %s", s.Kind, strings.Join(sched.Kinds, ", "))
	}
	if !slices.Contains(strategies, s.Strategy) {
		return fmt.Errorf("strategy %q is unknown; use one of %s", s.Strategy, strings.Join(strategies, ", "))
	}
	only := func(key string, set bool, kinds ...string) error {
		if set && !slices.Contains(kinds, s.Kind) {
			return fmt.Errorf("%s applies only to kind %s, not %q", key, strings.Join(kinds, " or "), s.Kind)
		}
		return nil
	}
	for _, err := range []error{
		only("slice", s.Slice != 0, sched.KindRoundRobin, sched.KindPriority),
		only("aging", s.Aging != 0, sched.KindPriority, sched.KindSJF),
		only("aging_tokens", s.AgingTokens != 0, sched.KindSJF),
		only("by_tenant", s.ByTenant, sched.KindFairShare),
		only("weights", len(s.Weights) > 0, sched.KindFairShare),
	} {
		if err != nil {
			return err
		}
	}
	for name, w := range s.Weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return fmt.Errorf("weights.%s is %v; a weight must be a positive number", name, w)
		}
	}
	switch {
	case s.AgingTokens < 0:
		return fmt.Errorf("aging_tokens %d is negative", s.AgingTokens)
	case s.MaxAttempts < 1:
		return fmt.Errorf("max_attempts %d: a generation needs at least one attempt", s.MaxAttempts)
	case s.FailureThreshold < 1:
		return fmt.Errorf("failure_threshold %d must be at least 1", s.FailureThreshold)
	case s.DefaultMaxTokens < 1:
		return fmt.Errorf("default_max_tokens %d must be at least 1", s.DefaultMaxTokens)
	case s.Backoff <= 0 || s.Cooldown <= 0:
		return fmt.Errorf("backoff %s and cooldown %s must be positive", s.Backoff, s.Cooldown)
	case s.MaxBackoff < s.Backoff:
		return fmt.Errorf("max_backoff %s is below backoff %s", s.MaxBackoff, s.Backoff)
	}
	return nil
}

// queue returns the scheduling policy s names.
func (s Scheduler) queue() (sched.Queue, error) {
	return sched.New(s.Kind, sched.Options{
		Slice: s.Slice, Aging: s.Aging, AgingTokens: s.AgingTokens,
		Weights: s.Weights, ByTenant: s.ByTenant,
	})
}
