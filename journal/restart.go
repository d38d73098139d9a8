package journal

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RestartPolicy says whether a durable run that ends failed is restarted.
type RestartPolicy string

// The restart policies (docs/DURABLE.md, "Restart policies").
const (
	// Never leaves a failed run failed; the zero policy is Never.
	Never RestartPolicy = "never"
	// OnFailure restarts a run that ended failed, up to a maximum, after a backoff that doubles.
	OnFailure RestartPolicy = "on-failure"
)

// Defaults of an OnFailure policy, and the bounds a policy is held to.
const (
	DefaultMaxRestarts = 3
	DefaultBackoff     = time.Second
	DefaultMaxBackoff  = 5 * time.Minute
	// MaxMaxRestarts bounds MaxRestarts: a run restarted more often keeps failing.
	MaxMaxRestarts = 1000
	// MaxBackoffBound bounds Backoff and MaxBackoff.
	MaxBackoffBound = 24 * time.Hour
)

// Restart is a run's restart policy: with OnFailure, a run that ends failed is restarted at
// most MaxRestarts times, the first after Backoff, each next after twice the last, never more
// than MaxBackoff.
type Restart struct {
	Policy      RestartPolicy `json:"policy,omitempty"`
	MaxRestarts int           `json:"max_restarts,omitempty"`
	Backoff     time.Duration `json:"backoff,omitempty"`
	MaxBackoff  time.Duration `json:"max_backoff,omitempty"`
}

// ParseRestart reads a policy as the command line and aios.toml write it: "never",
// "on-failure", or "on-failure:N" with N the most restarts (0 to MaxMaxRestarts). The backoff
// is left zero, the default.
func ParseRestart(s string) (Restart, error) {
	name, n, hasN := strings.Cut(s, ":")
	switch RestartPolicy(name) {
	case Never:
		if hasN {
			return Restart{}, fmt.Errorf("restart policy %q: \"never\" takes no count", s)
		}
		return Restart{Policy: Never}, nil
	case OnFailure:
	default:
		return Restart{}, fmt.Errorf("restart policy %q: want \"never\", \"on-failure\" or \"on-failure:N\"", s)
	}
	r := Restart{Policy: OnFailure}
	if hasN {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 || v > MaxMaxRestarts {
			return Restart{}, fmt.Errorf("restart policy %q: the count must be a whole number from 0 to %d", s, MaxMaxRestarts)
		}
		if v == 0 {
			return Restart{Policy: Never}, nil
		}
		r.MaxRestarts = v
	}
	return r, nil
}

// Validate refuses an unknown policy, a negative or huge MaxRestarts, and a negative or huge
// backoff, naming what is wrong.
func (r Restart) Validate() error {
	switch r.Policy {
	case "", Never, OnFailure:
	default:
		return fmt.Errorf("restart policy %q: want \"never\" or \"on-failure\"", r.Policy)
	}
	switch {
	case r.MaxRestarts < 0 || r.MaxRestarts > MaxMaxRestarts:
		return fmt.Errorf("max_restarts %d: want 0 to %d", r.MaxRestarts, MaxMaxRestarts)
	case r.Backoff < 0 || r.Backoff > MaxBackoffBound:
		return fmt.Errorf("backoff %v: want 0 to %v", r.Backoff, MaxBackoffBound)
	case r.MaxBackoff < 0 || r.MaxBackoff > MaxBackoffBound:
		return fmt.Errorf("max_backoff %v: want 0 to %v", r.MaxBackoff, MaxBackoffBound)
	}
	return nil
}

// OrDefaults returns r with its zero fields set: the policy Never, and for OnFailure the
// default count and backoffs. A MaxBackoff below Backoff is raised to it.
func (r Restart) OrDefaults() Restart {
	if r.Policy == "" {
		r.Policy = Never
	}
	if r.Policy != OnFailure {
		return Restart{Policy: r.Policy}
	}
	if r.MaxRestarts == 0 {
		r.MaxRestarts = DefaultMaxRestarts
	}
	if r.Backoff == 0 {
		r.Backoff = DefaultBackoff
	}
	if r.MaxBackoff == 0 {
		r.MaxBackoff = max(DefaultMaxBackoff, r.Backoff)
	}
	r.MaxBackoff = max(r.MaxBackoff, r.Backoff)
	return r
}

// Delay is how long to wait before restart number n (1 for the first): Backoff doubled n-1
// times, at most MaxBackoff.
// A record edited by hand cannot make it loop long, overflow or go negative.
func (r Restart) Delay(n int) time.Duration {
	d, ceiling := max(r.Backoff, 0), max(r.MaxBackoff, 0)
	if d == 0 {
		return 0
	}
	for i := 1; i < n && d < ceiling; i++ {
		if d > ceiling/2 {
			return ceiling
		}
		d *= 2
	}
	return min(d, ceiling)
}

// String writes r as ParseRestart reads it, "never" or "on-failure:N".
func (r Restart) String() string {
	if r.Policy != OnFailure {
		return string(Never)
	}
	return fmt.Sprintf("%s:%d", OnFailure, r.MaxRestarts)
}
