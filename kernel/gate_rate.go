package kernel

import (
	"fmt"
	"sync"
	"time"

	"github.com/aiosys/aios/policy"
)

// Rate bounds how often an agent may make one call: at most Calls in any window of length Per.
// It counts per agent name and tenant across all of the agent's processes, and only calls that
// policy allowed.
type Rate struct {
	Calls int
	Per   time.Duration
}

func (r Rate) validate() error {
	if r.Calls < 1 || r.Per <= 0 {
		return fmt.Errorf("%d calls per %s: want at least 1 call per positive duration", r.Calls, r.Per)
	}
	return nil
}

// rateLimiter keeps, per agent and call, the times of the calls inside the window (a sliding
// log: at most Calls entries each).
type rateLimiter struct {
	rates map[string]Rate

	mu   sync.Mutex
	seen map[rateKey][]time.Time
}

type rateKey struct{ agent, tenant, call string }

func newRateLimiter(rates map[string]Rate) *rateLimiter {
	r := &rateLimiter{rates: map[string]Rate{}, seen: map[rateKey][]time.Time{}}
	for call, rate := range rates {
		r.rates[call] = rate
	}
	return r
}

// admit counts one call at now and returns "" when it is within the rate, or the reason it is
// not (the call is then not counted).
func (l *rateLimiter) admit(a policy.Agent, call string, now time.Time) string {
	rate, ok := l.rates[call]
	if !ok {
		return ""
	}
	k := rateKey{a.Name, a.Tenant, call}
	l.mu.Lock()
	defer l.mu.Unlock()
	times := l.seen[k]
	cut := 0
	for cut < len(times) && !times[cut].After(now.Add(-rate.Per)) {
		cut++
	}
	times = times[cut:]
	if len(times) >= rate.Calls {
		l.seen[k] = times
		return fmt.Sprintf("rate limit: agent %q may make at most %d %s calls per %s", a.Name, rate.Calls, call, rate.Per)
	}
	l.seen[k] = append(times, now)
	return ""
}
