package dispatch

import (
	"math"
	"time"

	"github.com/aiosys/aios/kernel/quota"
)

// window is a sliding-window rate limit: what was sent in the last span may not exceed limit.
// Unlike a token bucket it never lets a burst plus refill pass the limit within one span.
//
// Amounts are never negative and the sum saturates (quota.Add): a huge amount must count as
// huge, never wrap to a negative one that would make room for more.
type window struct {
	limit   int
	span    time.Duration
	entries []*sent
	sum     int // saturated at math.MaxInt; then recomputed as entries leave
}

// sent is one request's share of a window; its amount can be corrected once known.
type sent struct {
	at time.Time
	n  int
}

func newWindow(limit int, span time.Duration) *window { return &window{limit: limit, span: span} }

func (w *window) prune(now time.Time) {
	i := 0
	for i < len(w.entries) && !w.entries[i].at.Add(w.span).After(now) {
		i++
	}
	if i == 0 {
		return
	}
	w.entries = w.entries[i:]
	w.resum()
}

// resum recomputes the sum from the entries. A saturated sum has lost what it would have been,
// so subtracting the leaving entries from it would undercount.
func (w *window) resum() {
	w.sum = 0
	for _, e := range w.entries {
		w.sum = quota.Add(w.sum, e.n)
	}
}

// wait returns how long until n more fit in the window; zero if they fit now.
func (w *window) wait(now time.Time, n int) time.Duration {
	w.prune(now)
	n = max(n, 0)
	if quota.Add(w.sum, n) <= w.limit {
		return 0
	}
	// Sum the entries newest first: the entry whose amount makes the rest too much for n is the
	// last that has to leave. Sums of suffixes never subtract, so saturation cannot undercount.
	s := n
	for i := len(w.entries) - 1; i >= 0; i-- {
		s = quota.Add(s, w.entries[i].n)
		if s > w.limit {
			return w.entries[i].at.Add(w.span).Sub(now)
		}
	}
	return w.span // n alone is over the limit: never fits (callers check fits first)
}

// add records n sent now; the caller has checked wait.
func (w *window) add(now time.Time, n int) *sent {
	e := &sent{at: now, n: max(n, 0)}
	w.entries = append(w.entries, e)
	w.sum = quota.Add(w.sum, e.n)
	return e
}

// correct changes a recorded amount to n (actual tokens instead of the estimate). An entry
// already pruned is out of the window and changes nothing.
func (w *window) correct(e *sent, n int) {
	n = max(n, 0)
	old := e.n
	e.n = n
	if len(w.entries) == 0 || e.at.Before(w.entries[0].at) {
		return
	}
	if w.sum == math.MaxInt {
		w.resum()
		return
	}
	w.sum = quota.Add(w.sum, n-old) // both are non-negative: the difference cannot wrap
}
