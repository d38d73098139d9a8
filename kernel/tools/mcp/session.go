package mcp

import (
	"context"
	"fmt"
	"time"

	"github.com/aiosys/aios/kernel/tools"
)

// session returns the live session, starting the server if there is none and its backoff
// has passed. A session that failed since the last call is reported once, as an error,
// before a restart. A caller whose context ends stops waiting; the start goes on.
func (s *Source) session(ctx context.Context) (*conn, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: mcp server %q is closed", tools.ErrUnavailable, s.cfg.Name)
	}
	if c := s.cur; c != nil {
		if !c.ended() {
			s.mu.Unlock()
			return c, nil
		}
		s.cur = nil
		if !c.reported.Swap(true) {
			s.mu.Unlock()
			return nil, s.unavailable(c.reason)
		}
	}
	st := s.starting
	if st == nil {
		if wait := time.Until(s.retryAt); wait > 0 {
			reason := s.lastErr
			s.mu.Unlock()
			return nil, s.unavailable(fmt.Sprintf("%s; restarting in %v", reason, wait.Round(time.Millisecond)))
		}
		st = &start{done: make(chan struct{})}
		s.starting = st
		s.wg.Add(1)
		go s.start(st)
	}
	s.mu.Unlock()
	select {
	case <-st.done:
		return st.c, st.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: mcp server %q: waiting for it to start: %w", tools.ErrUnavailable, s.cfg.Name, ctx.Err())
	}
}

// start starts the server for st and, once it is up, watches the session for its end.
func (s *Source) start(st *start) {
	defer s.wg.Done()
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.StartTimeout)
	c, err := dial(ctx, s.cfg, s.client, s.stderr)
	if err != nil && ctx.Err() != nil && s.ctx.Err() == nil {
		err = fmt.Errorf("%w (start timeout %v)", err, s.cfg.StartTimeout)
	}
	cancel()

	s.mu.Lock()
	s.starting = nil
	switch {
	case s.closed:
		err = fmt.Errorf("mcp server %q is closed", s.cfg.Name)
		if c != nil {
			defer c.close()
		}
	case err != nil:
		s.lastErr = "start: " + err.Error()
		s.noteFailure()
	default:
		s.cur = c
		s.wg.Add(1)
		go s.watch(c)
	}
	s.mu.Unlock()
	if err != nil {
		st.err = s.unavailable(err.Error())
	} else {
		st.c = c
	}
	close(st.done)
}

// watch waits for c to end, then schedules the restart.
func (s *Source) watch(c *conn) {
	defer s.wg.Done()
	<-c.done
	c.close() // releases what the session ended by itself still holds
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if time.Since(c.started) >= healthyAfter {
		s.failures = 0
	}
	s.lastErr = c.reason
	s.noteFailure()
}

// noteFailure counts a failure and sets when the server may be started again. s.mu is held.
func (s *Source) noteFailure() {
	s.failures++
	s.retryAt = time.Now().Add(backoff(s.failures))
}

// failed handles err from a request on c that did not get an answer. If ctx ended, the
// request timed out and the session stays. Otherwise the session is broken: it is closed
// (a server over stdio that crashed is waited for, to say how it ended) and the error says
// why, including the end of the server's stderr.
func (s *Source) failed(ctx context.Context, c *conn, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: mcp server %q: %s: %w", tools.ErrUnavailable, s.cfg.Name, what, ctx.Err())
	}
	c.reported.Store(true)
	c.abort()
	reason := fmt.Sprintf("%s: %v", what, err)
	select {
	case <-c.done:
		if c.reason != "" {
			reason += "; " + c.reason
		}
	case <-ctx.Done():
	}
	return s.unavailable(reason)
}

// unavailable is the error for a server that failed: why, and the end of its stderr.
func (s *Source) unavailable(reason string) error {
	if tail := s.stderr.tail(stderrInError); len(tail) > 0 {
		return fmt.Errorf("%w: mcp server %q: %s; stderr ends %q", tools.ErrUnavailable, s.cfg.Name, reason, tail)
	}
	return fmt.Errorf("%w: mcp server %q: %s", tools.ErrUnavailable, s.cfg.Name, reason)
}
