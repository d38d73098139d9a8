package llm

import (
	"context"
	"sync"
	"time"
)

// Windowed is implemented by cores that can tell how many tokens (prompt plus output) a model
// takes in one request. The dispatcher uses it to choose a default max_tokens that fits and to
// refuse one that cannot.
type Windowed interface {
	// ContextWindow returns model's context window in tokens, or zero when it is unknown. It
	// never fails: a backend that cannot be asked leaves the configured value, if any.
	ContextWindow(ctx context.Context, model string) int
}

// ContextWindow returns model's context window on c, or zero when c does not know it.
func ContextWindow(ctx context.Context, c Core, model string) int {
	if w, ok := c.(Windowed); ok {
		return w.ContextWindow(ctx, model)
	}
	return 0
}

// Bounds on learning a window from a backend: one lookup takes at most windowLookupTimeout, and
// a failed one is not repeated for windowRetryAfter (the configured value stands meanwhile).
const (
	windowLookupTimeout = 3 * time.Second
	windowRetryAfter    = time.Minute
)

// windows learns the context window of each model from the backend, once per model, and
// combines it with the configured one. The zero value knows nothing and asks nothing.
type windows struct {
	configured int
	// ask asks the backend for model's window; zero when the backend does not report one.
	ask func(ctx context.Context, model string) (int, error)

	mu      sync.Mutex
	lookups map[string]*windowLookup
}

// windowLookup is one model's lookup, running or finished.
type windowLookup struct {
	done  chan struct{}
	n     int       // set before done closes
	retry time.Time // zero after a success; after a failure, when to ask again
}

// get returns model's window: the smaller of what the backend reports and what is configured,
// where both are known. Concurrent callers share one lookup; a caller whose ctx ends stops
// waiting for it (and gets the configured value) without stopping it.
func (w *windows) get(ctx context.Context, model string) int {
	if w.ask == nil {
		return w.configured
	}
	l := w.lookup(model)
	select {
	case <-l.done:
		return smallestKnown(l.n, w.configured)
	case <-ctx.Done():
		return w.configured
	}
}

func (w *windows) lookup(model string) *windowLookup {
	w.mu.Lock()
	defer w.mu.Unlock()
	if l := w.lookups[model]; l != nil {
		select {
		case <-l.done:
			if l.retry.IsZero() || time.Now().Before(l.retry) {
				return l
			}
		default:
			return l
		}
	}
	l := &windowLookup{done: make(chan struct{})}
	if w.lookups == nil {
		w.lookups = map[string]*windowLookup{}
	}
	w.lookups[model] = l
	go func() {
		// Bounded by its own timeout, not by the first caller's context: the answer serves
		// every later caller too.
		ctx, cancel := context.WithTimeout(context.Background(), windowLookupTimeout)
		defer cancel()
		n, err := w.ask(ctx, model)
		if err != nil {
			l.retry = time.Now().Add(windowRetryAfter)
		}
		l.n = max(n, 0)
		close(l.done)
	}()
	return l
}

// smallestKnown returns the smaller of a and b, ignoring zeros (unknown).
func smallestKnown(a, b int) int {
	switch {
	case a <= 0:
		return max(b, 0)
	case b <= 0:
		return a
	}
	return min(a, b)
}
