package tools

import (
	"fmt"
	"time"

	"golang.org/x/time/rate"
)

// Kinds of source, as Info.Kind and [[tools]] kind give them.
const (
	KindHTTPFetch = "http_fetch"
	KindMCP       = "mcp"
	KindExtism    = "extism"
)

// Defaults of Policy's zero fields.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultMaxOutput = 1 << 20
	// MaxArgsBytes bounds a call's arguments as the model wrote them.
	MaxArgsBytes = 1 << 20
)

// Options configure a Manager: how the calls of each source's tools are bounded.
type Options struct {
	// Default applies to the tools of sources Sources does not name.
	Default Policy
	// Sources holds the policy of each source's tools, by source name (Info.Source: the
	// [[tools]] entry's name).
	Sources map[string]Policy
}

// policy returns the policy for the tools of source, with defaults filled in.
func (o Options) policy(source string) Policy {
	p, ok := o.Sources[source]
	if !ok {
		p = o.Default
	}
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.MaxOutput <= 0 {
		p.MaxOutput = DefaultMaxOutput
	}
	return p
}

func (o Options) validate() error {
	if err := o.Default.Rate.Validate(); err != nil {
		return fmt.Errorf("default policy: %w", err)
	}
	for name, p := range o.Sources {
		if err := p.Rate.Validate(); err != nil {
			return fmt.Errorf("policy of %s: %w", name, err)
		}
	}
	return nil
}

// Policy bounds the calls of a tool. Its zero value is DefaultTimeout, DefaultMaxOutput, no rate
// limit, and confirmation for destructive tools only.
type Policy struct {
	// Timeout bounds a call, including any wait for its rate; zero is DefaultTimeout.
	Timeout time.Duration
	// MaxOutput is the most bytes of output a call keeps (Result.Content); zero is
	// DefaultMaxOutput.
	MaxOutput int64
	// Rate bounds how often each caller may call each tool; the zero Rate is no limit.
	Rate Rate
	// Confirm says every call needs an operator's confirmation (Call.Confirm).
	Confirm bool
	// TrustDestructive says destructive tools (Info.Destructive) need no confirmation; by
	// default they do ([[tools]] confirm_destructive = false sets it).
	TrustDestructive bool
}

// Rate is a token bucket: Calls calls per Per on average, and at most Burst at once (Calls
// when zero). The zero Rate is no limit.
type Rate struct {
	Calls int
	Per   time.Duration
	Burst int
}

// Validate reports whether r is the zero Rate or a usable one.
func (r Rate) Validate() error {
	if r == (Rate{}) {
		return nil
	}
	if r.Calls < 1 || r.Per <= 0 || r.Burst < 0 {
		return fmt.Errorf("rate %d calls per %s (burst %d): want at least 1 call per positive duration and a burst that is not negative", r.Calls, r.Per, r.Burst)
	}
	return nil
}

func (r Rate) limited() bool { return r.Calls > 0 && r.Per > 0 }

func (r Rate) limiter() *rate.Limiter {
	burst := r.Burst
	if burst <= 0 {
		burst = r.Calls
	}
	return rate.NewLimiter(rate.Limit(float64(r.Calls)/r.Per.Seconds()), burst)
}
