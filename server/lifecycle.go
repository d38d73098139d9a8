package server

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/kernel"
)

// errCanceled is the cause of a run canceled through the API; errShutdown of one the server
// ended at its grace period's end.
var (
	errCanceled = errors.New("canceled through the API")
	errShutdown = errors.New("canceled: the server shut down")
)

// errBusy and errDraining are why start admits no run.
var (
	errBusy     = errors.New("too many runs are active; try again when some have ended")
	errDraining = errors.New("the server is shutting down and admits no new runs")
)

// start runs agent in the background as tenant's run and returns the run as it started;
// errDraining when the server is draining, errBusy when MaxActive runs are active. req is the
// context of the request that asked, whose id the "run started" record carries. prepare
// readies the run under its id, once admitted, and returns how it runs: agent.Run, or
// journaled on a durable server.
func (s *Server) start(req context.Context, tenant, name string, agent *aios.Agent, o aios.RunOptions, prepare func(id string) (runFunc, error)) (client.Run, error) {
	s.admit.Lock()
	defer s.admit.Unlock()
	if s.draining.Load() {
		return client.Run{}, errDraining
	}
	if s.running >= s.opts.MaxActive {
		return client.Run{}, errBusy
	}
	id := newID("run_")
	exec, err := prepare(id)
	if err != nil {
		return client.Run{}, err
	}
	s.running++
	r := s.newRun(id, tenant, name, client.StatusRunning, time.Now())
	s.runs.add(r)
	v := r.view() // as it started: a short run may have ended before the answer is written
	s.launch(r, agent, o, exec)
	s.opts.Logger.Info("run started", slog.String("run", r.id), slog.String("tenant", tenant), slog.String("agent", name),
		slog.String("request_id", requestID(req)))
	return v, nil
}

// runFunc runs an agent as run id.
type runFunc func(ctx context.Context, id string, o aios.RunOptions) (*aios.Result, error)

// newRun returns a run not yet started, its first status event published.
func (s *Server) newRun(id, tenant, name, status string, started time.Time) *run {
	ctx, cancel := context.WithCancelCause(s.base)
	r := &run{id: id, tenant: tenant, name: name, ctx: ctx, cancel: cancel, done: make(chan struct{}),
		status: status, started: started,
		events: newEventLog(s.opts.EventBuffer, s.opts.EventBytes, s.opts.SubscriberQueue)}
	r.events.publish(client.Event{Type: client.EventStatus, Status: status})
	return r
}

// launch runs r's agent in the background. The caller holds admit, has counted the run in
// running and checked that the server is not draining.
func (s *Server) launch(r *run, agent *aios.Agent, o aios.RunOptions, exec runFunc) {
	o.Events = func(e kernel.Event) {
		if ev, ok := eventOf(e); ok {
			r.events.publish(ev)
		}
	}
	o.Confirm = s.confirmer(r)
	o.RunID = r.id
	s.active.Add(1)
	go func() {
		defer s.active.Done()
		defer r.cancel(nil)
		defer func() {
			s.admit.Lock()
			s.running--
			s.admit.Unlock()
			select {
			case s.freed <- struct{}{}:
			default:
			}
		}()
		res, err := exec(r.ctx, r.id, o)
		s.agents.release(agent)
		s.settle(r, r.ctx, res, err)
	}()
}

// settle records how the run ended.
func (s *Server) settle(r *run, ctx context.Context, res *aios.Result, err error) {
	cause := context.Cause(ctx)
	canceled := errors.Is(cause, errCanceled) || errors.Is(cause, errShutdown)
	switch {
	case err != nil:
		r.finish(client.StatusFailed, nil, kernel.Usage{}, nil, "start: "+err.Error())
	case canceled && res.Err != nil:
		code := res.ExitCode
		r.finish(client.StatusCanceled, &code, res.Usage, res.Output, cause.Error())
	case res.Err != nil:
		code := res.ExitCode
		r.finish(client.StatusFailed, &code, res.Usage, res.Output, res.Err.Error())
	default:
		code := res.ExitCode
		r.finish(client.StatusExited, &code, res.Usage, res.Output, "")
	}
	if res != nil {
		s.usage.add(r.tenant, res.Usage)
	} else {
		s.usage.add(r.tenant, kernel.Usage{})
	}
	s.runs.markFinished(r)
	v := r.view()
	s.opts.Metrics.runEnded(r.tenant, v.Status, r.usageNow(), r.ranFor())
	s.opts.Logger.Info("run ended", slog.String("run", r.id), slog.String("tenant", r.tenant), slog.String("status", v.Status))
}
