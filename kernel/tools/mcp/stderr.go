package mcp

import "sync"

// stderrKeep is how much of a server's stderr is kept: the end of it, for the operator.
const stderrKeep = 64 << 10

// ring keeps the last cap bytes written to it. It is safe for concurrent use.
type ring struct {
	mu   sync.Mutex
	buf  []byte // len(buf) <= cap
	cap  int
	next int // where the next byte goes once buf is full
}

func newRing(capacity int) *ring { return &ring{cap: capacity} }

// Write keeps the end of p; it never fails, so a chatty server is never blocked.
func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(p)
	if len(p) > r.cap {
		p = p[len(p)-r.cap:]
	}
	for len(p) > 0 {
		if len(r.buf) < r.cap {
			room := min(r.cap-len(r.buf), len(p))
			r.buf = append(r.buf, p[:room]...)
			p = p[room:]
			continue
		}
		k := copy(r.buf[r.next:], p)
		r.next = (r.next + k) % r.cap
		p = p[k:]
	}
	return n, nil
}

// tail returns the last n bytes kept (all of them if n is larger).
func (r *ring) tail(n int) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := make([]byte, 0, len(r.buf))
	all = append(all, r.buf[r.next:]...)
	all = append(all, r.buf[:r.next]...)
	if n < len(all) {
		all = all[len(all)-n:]
	}
	return all
}
