package dispatch

import (
	"context"
	"time"

	"github.com/aiosys/aios/kernel/sched"
)

// slot is a place on a core held by one piece of a generation.
type slot struct {
	d   *Dispatcher
	c   *core
	tpm *sent
	job *sched.Job

	// Guarded by d.mu.
	released bool
	stop     context.CancelCauseFunc // stops the running piece; set by attempt
	deadline time.Time               // when the piece's attempt times out; zero: never
	sliceEnd time.Time               // when the piece's slice ends; zero until its first chunk
}

// release gives the place back, once, and lets the next job have it.
func (s *slot) release() {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	if s.free() {
		s.d.schedule()
	}
}

// free gives the place back without scheduling and reports whether it was still held.
// Called with d.mu held.
func (s *slot) free() bool {
	if s.released {
		return false
	}
	s.released = true
	s.c.inflight--
	return true
}
