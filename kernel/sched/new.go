package sched

import (
	"fmt"
	"strings"
	"time"
)

// Defaults used where Options leave a field zero.
const (
	DefaultSlice       = 2 * time.Second
	DefaultAging       = time.Second
	DefaultAgingTokens = 256
)

// Kind names a policy as the `[scheduler]` configuration spells it.
const (
	KindFIFO       = "fifo"
	KindRoundRobin = "round-robin"
	KindPriority   = "priority"
	KindSJF        = "sjf"
	KindFairShare  = "fair-share"
)

// Kinds lists the policies New accepts, the default first.
var Kinds = []string{KindFairShare, KindFIFO, KindRoundRobin, KindPriority, KindSJF}

// Options tunes the policies; each reads only its own fields.
type Options struct {
	// Slice is how long a job runs before a waiting one may preempt it. Round-robin: zero
	// means DefaultSlice. Priority: zero means never (jobs run to completion); otherwise a
	// waiting job of higher effective priority preempts at the slice end.
	Slice       time.Duration
	Aging       time.Duration      // priority and sjf: how often a waiting job ages a step
	AgingTokens int                // sjf: tokens a step of aging takes off a job's estimate
	Weights     map[string]float64 // fair share: shares by agent (or tenant) name
	ByTenant    bool               // fair share: count service per tenant, not per agent
	Now         func() time.Time   // the clock; nil means time.Now
}

// New returns the policy named kind; the empty kind is fair share.
func New(kind string, o Options) (Queue, error) {
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case "", KindFairShare, "fair", "fairshare":
		return NewFairShare(o.Weights, o.ByTenant), nil
	case KindFIFO:
		return NewFIFO(), nil
	case KindRoundRobin, "rr", "roundrobin":
		return NewRoundRobin(o.Slice), nil
	case KindPriority:
		return newPriority(o.Aging, o.Slice, o.Now), nil
	case KindSJF, "shortest-job-first":
		return NewSJF(o.Aging, o.AgingTokens, o.Now), nil
	}
	return nil, fmt.Errorf("scheduler %q: unknown kind; use one of %s", kind, strings.Join(Kinds, ", "))
}
