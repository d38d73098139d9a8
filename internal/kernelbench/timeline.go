package kernelbench

import (
	"sync"
	"time"
)

// Timeline records the service each agent received over time, in tokens. A generation's
// tokens count as served evenly over the time its reply streamed (first chunk to end), which is
// when the core was visibly working on it; a generation that streamed nothing counts at its end.
type Timeline struct {
	start time.Time

	mu    sync.Mutex
	spans []span
}

type span struct {
	agent    string
	from, to time.Duration // since start
	tokens   float64
}

// NewTimeline returns a Timeline whose time zero is start.
func NewTimeline(start time.Time) *Timeline { return &Timeline{start: start} }

// Add records that agent received tokens of service, streamed from first to end.
func (t *Timeline) Add(agent string, first, end time.Time, tokens int) {
	if first.IsZero() || first.After(end) {
		first = end
	}
	t.mu.Lock()
	t.spans = append(t.spans, span{agent: agent, from: first.Sub(t.start), to: end.Sub(t.start), tokens: float64(tokens)})
	t.mu.Unlock()
}

// Windows returns each agent's service in consecutive windows of width w covering [0, until):
// out[i][a] is agents[a]'s service in window i.
func (t *Timeline) Windows(agents []string, w, until time.Duration) [][]float64 {
	index := map[string]int{}
	for i, a := range agents {
		index[a] = i
	}
	n := int(until / w)
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, len(agents))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range t.spans {
		a, ok := index[s.agent]
		if !ok {
			continue
		}
		for i := range n {
			lo, hi := time.Duration(i)*w, time.Duration(i+1)*w
			out[i][a] += s.tokens * overlap(s.from, s.to, lo, hi)
		}
	}
	return out
}

// overlap returns the fraction of [from, to] inside [lo, hi); a point span counts wholly in the
// window that holds it.
func overlap(from, to, lo, hi time.Duration) float64 {
	if from == to {
		if from >= lo && from < hi {
			return 1
		}
		return 0
	}
	a, b := max(from, lo), min(to, hi)
	if b <= a {
		return 0
	}
	return float64(b-a) / float64(to-from)
}
