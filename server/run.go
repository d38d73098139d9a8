package server

import (
	"context"
	"sync"
	"time"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/kernel"
)

// run is one submitted agent run.
type run struct {
	id, tenant, name string
	events           *eventLog
	ctx              context.Context // the run's life; canceled with its cause
	cancel           context.CancelCauseFunc
	done             chan struct{} // closed when the run has ended

	mu       sync.Mutex
	status   string
	exitCode *int
	usage    kernel.Usage
	started  time.Time
	ended    time.Time
	err      string
	output   []byte
}

// view is the run as the API shows it.
func (r *run) view() client.Run {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := client.Run{ID: r.id, Name: r.name, Tenant: r.tenant, Status: r.status, ExitCode: r.exitCode, Error: r.err}
	if !r.started.IsZero() {
		t := r.started.UTC()
		v.Started = &t
	}
	if !r.ended.IsZero() {
		t := r.ended.UTC()
		v.Ended = &t
		u := usageOf(r.usage)
		v.Usage = &u
	}
	return v
}

// finish records how the run ended and tells its streams.
func (r *run) finish(status string, code *int, usage kernel.Usage, output []byte, errText string) {
	r.mu.Lock()
	r.status, r.exitCode, r.usage, r.output, r.err = status, code, usage, output, errText
	r.ended = time.Now()
	r.mu.Unlock()
	r.events.end(client.Event{Type: client.EventStatus, Status: status, ExitCode: code, Text: errText})
	close(r.done)
}

// finalOutput returns the run's output and whether the run has ended (no output before).
func (r *run) finalOutput() ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.output, !r.ended.IsZero()
}

// held is how many bytes of output and event text the run holds; fixed once it has ended.
func (r *run) held() int {
	_, b := r.events.kept()
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.output) + b
}

// usageOf is u as the API shows it.
func usageOf(u kernel.Usage) client.Usage {
	return client.Usage{Calls: u.Calls, Denied: u.Denied, Generations: u.Generations, ToolCalls: u.ToolCalls,
		InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, Cost: int64(u.Cost)}
}

// eventOf is a kernel event as the API shows it. The kernel's exit event is left out (false):
// the run's final status event follows it.
func eventOf(e kernel.Event) (client.Event, bool) {
	switch e.Kind {
	case kernel.EventLog:
		return client.Event{Type: client.EventLog, Level: e.Level, Text: e.Text}, true
	case kernel.EventToken:
		return client.Event{Type: client.EventToken, Text: e.Text}, true
	case kernel.EventExit:
		return client.Event{}, false
	default:
		return client.Event{Type: client.EventNotice, Text: e.Text}, true
	}
}
