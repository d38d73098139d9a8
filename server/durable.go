package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel"
)

// errJournal wraps why a durable server could not journal a run it was asked to start.
var errJournal = errors.New("durable run")

// runner returns how a submitted agent runs as run rec (its id, and its restart policy on a
// durable server) with options o: agent.Run, or on a durable server agent.RunDurable, its
// module (raw, as submitted) kept by digest and its record saved first, so that a kernel
// killed from then on resumes it when it starts again.
func (s *Server) runner(agent *aios.Agent, raw []byte, rec journal.Run, o aios.RunOptions) (runFunc, error) {
	id := rec.ID
	store := s.opts.Journal
	if store == nil {
		return func(ctx context.Context, _ string, o aios.RunOptions) (*aios.Result, error) {
			return agent.Run(ctx, o)
		}, nil
	}
	path, err := s.keepModule(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errJournal, err)
	}
	rec.Module = path
	rec, o, err = agent.BeginDurable(store, rec, o)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errJournal, err)
	}
	return func(ctx context.Context, _ string, live aios.RunOptions) (*aios.Result, error) {
		// The record keeps what the run is; live adds what the server supplies per run.
		o.Events, o.Confirm, o.RunID = live.Events, live.Confirm, live.RunID
		res, _, err := agent.RunDurable(ctx, store, rec, o)
		if res != nil && err != nil {
			// The run ran; its record could not be saved at the end. It stays resumable.
			s.opts.Logger.Warn("durable run not recorded as ended", slog.String("run", id), slog.String("error", err.Error()))
			err = nil
		}
		return res, err
	}, nil
}

// keepModule writes raw into JournalModules under its digest, once, and returns the file's path.
func (s *Server) keepModule(raw []byte) (string, error) {
	if s.opts.JournalModules == "" {
		return "", errors.New("durable server: no directory for the modules of its runs")
	}
	sum := sha256.Sum256(raw)
	path := filepath.Join(s.opts.JournalModules, hex.EncodeToString(sum[:])+".wasm")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(s.opts.JournalModules, 0o700); err != nil {
		return "", fmt.Errorf("keep the run's module: %w", err)
	}
	f, err := os.CreateTemp(s.opts.JournalModules, ".module-*")
	if err != nil {
		return "", fmt.Errorf("keep the run's module: %w", err)
	}
	_, werr := f.Write(raw)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("keep the run's module: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("keep the run's module: %w", err)
	}
	return path, nil
}

// ResumeInterrupted takes the durable runs a crash left running (aios.Interrupted) and
// resumes them in the background under their old ids and tenants: each is listed at once,
// "queued" until one of MaxActive slots is free, then re-executed from its journal
// (aios.Agent.Resume), nothing journaled sent again. It returns how many runs it took; none
// without Options.Journal. Call it once, before serving.
func (s *Server) ResumeInterrupted() (int, error) {
	store := s.opts.Journal
	if store == nil {
		return 0, nil
	}
	recs, err := aios.Interrupted(store)
	if err != nil {
		return 0, fmt.Errorf("interrupted runs: %w", err)
	}
	queued := make([]*run, len(recs))
	for i, rec := range recs {
		queued[i] = s.newRun(rec.ID, rec.Tenant, rec.Name, client.StatusQueued, rec.Created)
		s.runs.add(queued[i])
	}
	go func() {
		for i, r := range queued {
			if !s.resume(r, recs[i]) {
				for _, rest := range queued[i+1:] {
					rest.finish(client.StatusCanceled, nil, kernel.Usage{}, nil, errNotResumed.Error())
					s.runs.markFinished(rest)
				}
				return
			}
		}
	}()
	return len(recs), nil
}

// errNotResumed ends the server's record of an interrupted run the server shut down before
// resuming; its journal still says running, so the next start resumes it.
var errNotResumed = errors.New("the server shut down before the run was resumed; it is resumed when the server starts again")

// resume waits for a free slot and resumes r, interrupted run rec; false when the server is
// draining and resumes no more.
func (s *Server) resume(r *run, rec journal.Run) bool {
	agent, o, err := s.loadInterrupted(rec)
	if err != nil {
		s.failInterrupted(r, rec, err)
		return true
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		s.admit.Lock()
		if s.draining.Load() {
			s.admit.Unlock()
			s.agents.release(agent)
			r.finish(client.StatusCanceled, nil, kernel.Usage{}, nil, errNotResumed.Error())
			s.runs.markFinished(r)
			return false
		}
		if s.running < s.opts.MaxActive {
			s.running++
			r.mu.Lock()
			r.status, r.started = client.StatusRunning, time.Now()
			r.mu.Unlock()
			r.events.publish(client.Event{Type: client.EventStatus, Status: client.StatusRunning})
			r.events.publish(client.Event{Type: client.EventNotice, Text: resumeNotice(rec)})
			store := s.opts.Journal
			s.launch(r, agent, o, func(ctx context.Context, id string, o aios.RunOptions) (*aios.Result, error) {
				res, _, err := agent.Resume(ctx, store, id, o)
				if res != nil && err != nil {
					s.opts.Logger.Warn("durable run not recorded as ended", slog.String("run", id), slog.String("error", err.Error()))
					err = nil
				}
				return res, err
			})
			s.admit.Unlock()
			s.opts.Logger.Info("run resumed", slog.String("run", r.id), slog.String("tenant", r.tenant), slog.String("agent", r.name))
			return true
		}
		s.admit.Unlock()
		select {
		case <-s.freed:
		case <-tick.C:
		}
	}
}

// resumeNotice is what the events of interrupted run rec say as a restarted kernel takes it up.
func resumeNotice(rec journal.Run) string {
	if !rec.RestartAt.IsZero() {
		return fmt.Sprintf("the kernel restarted while the run waited to restart (attempt %d of %d) after: %s; it restarts at %s, its %d journaled calls answered from the journal",
			rec.Attempt, rec.Restart.MaxRestarts+1, rec.Failure, rec.RestartAt.Format(time.RFC3339), rec.Calls)
	}
	return fmt.Sprintf("resumed after the kernel restarted (resume %d): its %d journaled calls are answered from the journal, nothing journaled is sent again",
		rec.Resumes+1, rec.Calls)
}

// loadInterrupted loads the module rec recorded, verified again against the server's trust,
// and the options its resume runs with.
func (s *Server) loadInterrupted(rec journal.Run) (*aios.Agent, aios.RunOptions, error) {
	raw, err := os.ReadFile(rec.Module)
	if err != nil {
		return nil, aios.RunOptions{}, fmt.Errorf("resume: the run's module: %w", err)
	}
	mod, _, err := s.openModule(client.RunRequest{Module: raw, Name: rec.Name})
	if err != nil {
		return nil, aios.RunOptions{}, fmt.Errorf("resume: %w", err)
	}
	agent, err := s.agents.load(context.Background(), s.sys, rec.Name, mod.wasm)
	if err != nil {
		return nil, aios.RunOptions{}, fmt.Errorf("resume: %w", err)
	}
	return agent, aios.RunOptions{Tenant: rec.Tenant, Identity: mod.identity(rec.Tenant)}, nil
}

// failInterrupted ends r, and rec's journal record, with err: the run cannot be resumed.
func (s *Server) failInterrupted(r *run, rec journal.Run, err error) {
	rec.Status, rec.ExitCode, rec.Error, rec.Ended = journal.Failed, -1, err.Error(), time.Now().UTC()
	if serr := s.opts.Journal.SaveRun(rec); serr != nil {
		s.opts.Logger.Warn("durable run not recorded as failed", slog.String("run", rec.ID), slog.String("error", serr.Error()))
	} else if ferr := s.sys.Kernel().ForgetWrites(context.Background(), rec.ID); ferr != nil {
		// The run has ended: its write keys only take room now.
		s.opts.Logger.Warn("write keys of a failed durable run not removed", slog.String("run", rec.ID), slog.String("error", ferr.Error()))
	}
	r.finish(client.StatusFailed, nil, kernel.Usage{}, nil, err.Error())
	s.usage.add(r.tenant, kernel.Usage{})
	s.runs.markFinished(r)
	s.opts.Logger.Info("run ended", slog.String("run", r.id), slog.String("tenant", r.tenant), slog.String("status", client.StatusFailed))
}
