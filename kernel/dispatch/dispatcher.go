package dispatch

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/kernel/sched"
)

// ErrBackend marks a generation that failed on its cores after every retry.
var ErrBackend = errors.New("LLM backend failed")

// Options configures a Dispatcher. Zero fields take the defaults noted.
type Options struct {
	Queue            sched.Queue           // scheduling policy; nil: fair share. A positive Slice turns on preemption
	Ledger           *quota.Ledger         // budgets; nil: none
	Aliases          map[string]string     // alias → model or class
	Strategy         string                // LeastQueue (default), LowestCost or LowestLatency
	MaxAttempts      int                   // tries per generation; default 4
	Backoff          time.Duration         // first retry's bound; default 250 ms
	MaxBackoff       time.Duration         // default 10 s
	AttemptTimeout   time.Duration         // per try; zero: none
	FailureThreshold int                   // consecutive failures that cool a core down; default 3
	Cooldown         time.Duration         // default 30 s
	DefaultMaxTokens int                   // max_tokens for a request with none, lowered to fit the context window; default 2048
	Retryable        RetryFunc             // default Retryable
	EstimateInput    func(llm.Request) int // default EstimateInput
	Now              func() time.Time      // default time.Now
}

// Dispatcher is an llm.Core over several backends. It is safe for concurrent use.
type Dispatcher struct {
	opts  Options
	span  time.Duration // rate-limit window: one minute
	cores []*core

	overhead overheadCounters

	mu      sync.Mutex
	q       sched.Queue
	running map[*slot]struct{} // pieces on a core
	timer   *time.Timer
	timerAt time.Time
	// The attempt timeout's watchdog and the deadline it is armed for (zero: not armed).
	watchdog *time.Timer
	watchAt  time.Time
}

// New returns a dispatcher over backends, in order of preference among equals.
func New(backends []Backend, o Options) (*Dispatcher, error) {
	if len(backends) == 0 {
		return nil, fmt.Errorf("dispatcher: no LLM cores configured")
	}
	switch o.Strategy {
	case "":
		o.Strategy = LeastQueue
	case LeastQueue, LowestCost, LowestLatency:
	default:
		return nil, fmt.Errorf("dispatcher: strategy %q: unknown; use %s, %s or %s", o.Strategy, LeastQueue, LowestCost, LowestLatency)
	}
	o = o.withDefaults()
	d := &Dispatcher{opts: o, span: time.Minute, q: o.Queue, running: map[*slot]struct{}{}}
	seen := map[string]bool{}
	for i, b := range backends {
		if b.Core == nil {
			return nil, fmt.Errorf("dispatcher: backend %d has no core", i)
		}
		if seen[b.Core.Name()] {
			return nil, fmt.Errorf("dispatcher: two cores are named %q", b.Core.Name())
		}
		seen[b.Core.Name()] = true
		d.cores = append(d.cores, newCore(b, d.span))
	}
	return d, nil
}

func (o Options) withDefaults() Options {
	if o.Queue == nil {
		o.Queue = sched.NewFairShare(nil, false)
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 4
	}
	if o.Backoff <= 0 {
		o.Backoff = 250 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Second
	}
	if o.FailureThreshold <= 0 {
		o.FailureThreshold = 3
	}
	if o.Cooldown <= 0 {
		o.Cooldown = 30 * time.Second
	}
	if o.DefaultMaxTokens <= 0 {
		o.DefaultMaxTokens = 2048
	}
	if o.Retryable == nil {
		o.Retryable = Retryable
	}
	if o.EstimateInput == nil {
		o.EstimateInput = EstimateInput
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Name implements llm.Core.
func (d *Dispatcher) Name() string { return "dispatcher" }

// Models implements llm.Core: every model, class and alias some core serves, or nil if a core
// serves any model.
func (d *Dispatcher) Models() []string {
	var all []string
	for _, c := range d.cores {
		ms := c.Core.Models()
		if len(ms) == 0 {
			return nil
		}
		all = append(all, ms...)
		if c.Class != "" {
			all = append(all, c.Class)
		}
	}
	for alias := range d.opts.Aliases {
		all = append(all, alias)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// CoolDown takes the named core out of rotation for the cooldown (Options.Cooldown), as if it
// had just failed FailureThreshold times in a row. A host that found a backend unreachable
// before any generation uses it to spare agents a retry against that core. It reports whether
// a core of that name exists.
func (d *Dispatcher) CoolDown(name string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.cores {
		if c.name == name {
			c.failures = 0
			c.coolUntil = maxTime(c.coolUntil, d.opts.Now().Add(d.opts.Cooldown))
			return true
		}
	}
	return false
}
