package dispatch

import (
	"slices"
	"time"
)

// CoreLoad is one core as an operator watches it: what it serves, how busy it is, whether it
// is in rotation and how many tokens it moves. Load returns one per core.
type CoreLoad struct {
	Name string
	// Models are the models the core serves; empty means any. Class and Model are the
	// capability class it answers to and the model asked for when routed by class (see
	// Backend); either may be empty.
	Models       []string
	Class, Model string
	// Capacity is how many requests it may serve at once, InFlight how many it serves now.
	Capacity, InFlight int
	// Waiting is how many queued generations (or pieces of preempted ones) this core may
	// serve. A queued generation belongs to no core until it is placed: one that several
	// cores may serve counts for each.
	Waiting int
	// Failures is how many requests in a row failed on it with a retryable error.
	Failures int
	// CoolingFor is how long until the core is back in rotation after failing (or after its
	// backend asked for a pause); zero when it is in rotation.
	CoolingFor time.Duration
	// TokensPerSecond is the tokens it moved (input read, output streamed, embeddings) over
	// the last ThroughputWindow, per second. Output is counted as it streams (eight chunks at
	// a time, the rest when the request ends); input when its request ends.
	TokensPerSecond float64
	// Tokens is what it moved since the dispatcher started, counted the same way.
	Tokens int64
}

// Load returns each core's load, in the order the dispatcher was built with. It takes the
// dispatcher's lock briefly and changes nothing.
func (d *Dispatcher) Load() []CoreLoad {
	now := d.opts.Now()
	out := make([]CoreLoad, len(d.cores))
	for i, c := range d.cores {
		out[i] = CoreLoad{Name: c.name, Models: slices.Clone(c.Core.Models()), Class: c.Class, Model: c.Backend.Model,
			Capacity: c.Capacity, TokensPerSecond: c.tput.perSecond(now), Tokens: c.tput.sinceStart()}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, c := range d.cores {
		out[i].InFlight, out[i].Waiting, out[i].Failures = c.inflight, c.waiting, c.failures
		out[i].CoolingFor = max(c.coolUntil.Sub(now), 0)
	}
	return out
}

// queued adds delta to the waiting count of every core w may be placed on: +1 when w is
// queued, -1 when it is placed or leaves the queue. Called with d.mu held.
func (w *waiter) queued(delta int) {
	for _, c := range w.route.cores {
		c.waiting += delta
	}
}
