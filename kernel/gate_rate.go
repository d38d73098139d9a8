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

// rateSlots is how finely a window is divided: the calls of one slot (Per/rateSlots long) are
// kept as one entry, so an agent's log holds at most rateSlots+1 entries whatever Calls is.
// A call counts from when it was made until the end of its slot plus Per: never less than a
// window, so no window ever holds more than Calls; at most one slot more, so the bound is
// stricter than exact by under 2% of Per.
const rateSlots = 64

// minSweep is the number of logs below which idle ones are not swept.
const minSweep = 1024

// rateLimiter keeps, per agent and call, a log of the calls inside the window: a sliding log
// rather than a token bucket (such as golang.org/x/time/rate), because a bucket lets a burst
// plus its refill pass Calls within one window. See docs/RATIONALE.md.
type rateLimiter struct {
	rates map[string]Rate

	mu    sync.Mutex
	seen  map[rateKey]*rateLog
	sweep int // sweep idle logs when seen grows past this many
}

type rateKey struct{ agent, tenant, call string }

// rateLog is one agent's calls of one kind in the window, oldest first.
type rateLog struct {
	slots []rateSlot
	total int
}

// rateSlot is the calls of one slot; they count until until.
type rateSlot struct {
	until time.Time
	n     int
}

func newRateLimiter(rates map[string]Rate) *rateLimiter {
	r := &rateLimiter{rates: map[string]Rate{}, seen: map[rateKey]*rateLog{}, sweep: minSweep}
	for call, rate := range rates {
		r.rates[call] = rate
	}
	return r
}

// limits reports whether some rate bounds call, so that a call without one need not read the
// clock for admit.
func (l *rateLimiter) limits(call string) bool {
	_, ok := l.rates[call]
	return ok
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
	log := l.seen[k]
	if log == nil {
		l.sweepIdle(now)
		log = &rateLog{}
		l.seen[k] = log
	}
	log.prune(now)
	if log.total >= rate.Calls {
		return fmt.Sprintf("rate limit: agent %q may make at most %d %s calls per %s", a.Name, rate.Calls, call, rate.Per)
	}
	step := max(rate.Per/rateSlots, 1)
	until := now.Truncate(step).Add(step + rate.Per)
	if n := len(log.slots); n > 0 && log.slots[n-1].until.Equal(until) {
		log.slots[n-1].n++
	} else {
		log.slots = append(log.slots, rateSlot{until: until, n: 1})
	}
	log.total++
	return ""
}

// prune drops the slots whose calls no longer count at now.
func (g *rateLog) prune(now time.Time) {
	i := 0
	for i < len(g.slots) && !g.slots[i].until.After(now) {
		g.total -= g.slots[i].n
		i++
	}
	g.slots = g.slots[i:]
}

// sweepIdle forgets the logs with nothing left in their window, once there are more than
// l.sweep of them, so that agents that came and went do not stay in memory. Sweeping when the
// count has doubled keeps the cost constant per call on average. Called with l.mu held.
func (l *rateLimiter) sweepIdle(now time.Time) {
	if len(l.seen) < l.sweep {
		return
	}
	for k, log := range l.seen {
		if log.prune(now); log.total == 0 {
			delete(l.seen, k)
		}
	}
	l.sweep = max(2*len(l.seen), minSweep)
}
