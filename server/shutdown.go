package server

import (
	"context"
)

// Drain stops admitting runs: POST /v1/runs answers 503 and /readyz reports draining. Runs
// already admitted go on.
func (s *Server) Drain() {
	s.admit.Lock()
	s.draining.Store(true)
	s.admit.Unlock()
}

// Shutdown drains the server, waits for the running agents to end until ctx is done, then
// cancels those still running and waits for them to stop, and finally ends every event stream.
// It returns ctx's error when the grace period ran out (runs were canceled), else nil. The
// caller closes the System afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.Drain()
	done := make(chan struct{})
	go func() {
		s.active.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		s.cancelRuns(errShutdown)
		<-done
	}
	s.closeOnce.Do(func() { close(s.closed) })
	return err
}
