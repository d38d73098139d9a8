package dispatch

import "time"

// window is a sliding-window rate limit: what was sent in the last span may not exceed limit.
// Unlike a token bucket it never lets a burst plus refill pass the limit within one span.
type window struct {
	limit   int
	span    time.Duration
	entries []*sent
	sum     int
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
		w.sum -= w.entries[i].n
		i++
	}
	w.entries = w.entries[i:]
}

// wait returns how long until n more fit in the window; zero if they fit now.
func (w *window) wait(now time.Time, n int) time.Duration {
	w.prune(now)
	if w.sum+n <= w.limit {
		return 0
	}
	s := w.sum
	for _, e := range w.entries {
		s -= e.n
		if s+n <= w.limit {
			return e.at.Add(w.span).Sub(now)
		}
	}
	return w.span
}

// add records n sent now; the caller has checked wait.
func (w *window) add(now time.Time, n int) *sent {
	e := &sent{at: now, n: n}
	w.entries = append(w.entries, e)
	w.sum += n
	return e
}

// correct changes a recorded amount to n (actual tokens instead of the estimate). An entry
// already pruned is out of the window and changes nothing.
func (w *window) correct(e *sent, n int) {
	if len(w.entries) > 0 && !e.at.Before(w.entries[0].at) {
		w.sum += n - e.n
	}
	e.n = n
}
