package dispatch

import (
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// Backend is an LLM core as the dispatcher sees it: the core and what bounds its use.
type Backend struct {
	Core     llm.Core
	Class    string        // capability class an agent may ask for instead of a model, e.g. "fast"
	Model    string        // model to ask for when routed by class or by an empty model; empty: the core's default
	Capacity int           // most requests in flight; zero or less means DefaultCapacity
	RPM      int           // most requests per minute; zero is unlimited
	TPM      int           // most tokens (input plus output) per minute; zero is unlimited
	PriceIn  quota.Cost    // per million input tokens
	PriceOut quota.Cost    // per million output tokens
	Latency  time.Duration // expected latency before any is measured (lowest-latency strategy)
	// Weight scales the core's share of the load among cores that can serve a request: the
	// least-queue strategy, and the others among equals, compare in-flight requests divided by
	// Capacity times Weight. Zero or less means 1.
	Weight float64
}

// DefaultCapacity is a backend's capacity when none is configured.
const DefaultCapacity = 4

// core is a backend's live state; the dispatcher's mutex guards every field but Backend and
// tput.
type core struct {
	Backend
	name      string
	inflight  int
	waiting   int     // queued waiters this core may take (Load)
	rpm, tpm  *window // nil when unlimited
	failures  int     // consecutive retryable failures
	coolUntil time.Time
	latency   time.Duration // moving average of successful requests
	tput      throughput    // tokens moved recently (Load)
}

func newCore(b Backend, span time.Duration) *core {
	if b.Capacity <= 0 {
		b.Capacity = DefaultCapacity
	}
	if b.Weight <= 0 {
		b.Weight = 1
	}
	c := &core{Backend: b, name: b.Core.Name(), latency: b.Latency}
	if b.RPM > 0 {
		c.rpm = newWindow(b.RPM, span)
	}
	if b.TPM > 0 {
		c.tpm = newWindow(b.TPM, span)
	}
	return c
}

// cost prices a use of the backend, rounding up to a whole micro-unit; it saturates rather
// than wrapping (see quota.Charge).
func (c *core) cost(u llm.Usage) quota.Cost {
	return quota.Charge(int64(u.InputTokens), int64(u.OutputTokens), c.PriceIn, c.PriceOut)
}

// fits reports whether a request of tokens can ever pass the backend's TPM limit.
func (c *core) fits(tokens int) bool { return c.tpm == nil || tokens <= c.tpm.limit }

// readyIn returns how long until the backend can take a request of tokens: zero if now, or a
// positive wait for cooldown and rate limits; full is true when only capacity stands in the way.
func (c *core) readyIn(now time.Time, tokens int) (wait time.Duration, full bool) {
	if now.Before(c.coolUntil) {
		return c.coolUntil.Sub(now), false
	}
	if c.rpm != nil {
		wait = max(wait, c.rpm.wait(now, 1))
	}
	if c.tpm != nil {
		wait = max(wait, c.tpm.wait(now, tokens))
	}
	if wait > 0 {
		return wait, false
	}
	return 0, c.inflight >= c.Capacity
}

func (c *core) observeLatency(d time.Duration) {
	if c.latency == 0 {
		c.latency = d
		return
	}
	c.latency = (4*c.latency + d) / 5
}
