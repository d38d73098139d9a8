package llm

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeLoad is what a fake backend (a test server standing in for a remote service) records of
// the requests it serves: how many are in flight, the most at once, and how many the client
// abandoned before the answer was complete.
type fakeLoad struct {
	now, max atomic.Int32
	aborted  chan struct{}
}

func newFakeLoad() *fakeLoad { return &fakeLoad{aborted: make(chan struct{}, 64)} }

// begin counts a request in; the returned func counts it out and may be called more than once.
// Handlers call it before writing the last bytes of an answer, so that a client which has read
// them never sees the request still counted.
func (l *fakeLoad) begin() (end func()) {
	n := l.now.Add(1)
	for {
		m := l.max.Load()
		if n <= m || l.max.CompareAndSwap(m, n) {
			break
		}
	}
	var once sync.Once
	return func() { once.Do(func() { l.now.Add(-1) }) }
}

// pace waits d before the next piece of an answer. It reports false, and records an abort,
// when the client goes away first.
func (l *fakeLoad) pace(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		select {
		case l.aborted <- struct{}{}:
		default:
		}
		return false
	}
}

// waitAbort fails t unless the fake saw a client go away within a second.
func (l *fakeLoad) waitAbort(t *testing.T) {
	t.Helper()
	select {
	case <-l.aborted:
	case <-time.After(time.Second):
		t.Error("the fake backend did not see the client abandon the request within 1s")
	}
}

// echoReply is what the fakes answer: the last user message, cut after maxWords words when
// maxWords > 0. It returns the pieces to send, each one word with its trailing space, and
// whether the reply was cut.
func echoReply(msgs []Message, maxWords int) (pieces []string, cut bool) {
	last := ""
	for _, m := range msgs {
		if m.Role == "user" {
			last = m.Content
		}
	}
	_, pieces = splitWords(last)
	if maxWords > 0 && len(pieces) > maxWords {
		return pieces[:maxWords], true
	}
	return pieces, false
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
