package aios

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/telemetry"
	"github.com/aiosys/aios/kernel"
)

// WithTracerProvider makes the System trace its runs with tp, whatever [telemetry] says: a
// span for each run and a child span for each system call the policy gate decides
// (docs/OBSERVABILITY.md). The caller owns tp and shuts it down. Without this option the
// System exports to the OTLP receiver [telemetry] or $OTEL_EXPORTER_OTLP_ENDPOINT names, and
// with neither it traces nothing, at no cost to the calls.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracerProvider = tp }
}

// tracing makes the spans of a System's runs; a nil *tracing traces nothing.
type tracing struct {
	runs *telemetry.Runs
	// shutdown flushes and stops the provider the System built itself; nil for one the
	// embedder gave (WithTracerProvider).
	shutdown func(context.Context) error
}

// flushTimeout bounds how long Close waits for the last spans to reach the receiver.
const flushTimeout = 5 * time.Second

// newTracing returns the System's tracing: over tp when given, else over an OTLP exporter when
// cfg enables one, else nil.
func newTracing(ctx context.Context, cfg config.Telemetry, tp trace.TracerProvider) (*tracing, error) {
	if tp != nil {
		return &tracing{runs: telemetry.NewRuns(tp)}, nil
	}
	sdk, err := telemetry.NewProvider(ctx, cfg)
	if err != nil || sdk == nil {
		return nil, err
	}
	return &tracing{runs: telemetry.NewRuns(sdk), shutdown: sdk.Shutdown}, nil
}

// close flushes the spans still held to the receiver, for at most flushTimeout.
func (t *tracing) close() error {
	if t == nil || t.shutdown == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	return t.shutdown(ctx)
}

// startRun begins the span of a run of the agent named name, or returns nil when t is nil.
func (t *tracing) startRun(ctx context.Context, name string, o RunOptions) *telemetry.Run {
	if t == nil {
		return nil
	}
	id := o.Identity
	if id.Name == "" {
		id.Name = name
	}
	if id.Tenant == "" {
		id.Tenant = o.Tenant
	}
	return t.runs.Start(ctx, telemetry.RunStart{RunID: o.RunID, Agent: id})
}

// callTracer is the kernel's view of run: nil, not a nil pointer in an interface, when the run
// is not traced.
func callTracer(run *telemetry.Run) kernel.CallTracer {
	if run == nil {
		return nil
	}
	return run
}

// endRun ends run's span with res, or with err when the run did not start.
func endRun(run *telemetry.Run, res *Result, err error) {
	if run == nil {
		return
	}
	if res == nil {
		run.End(telemetry.RunEnd{ExitCode: -1, Err: err})
		return
	}
	run.End(telemetry.RunEnd{PID: res.PID, ExitCode: res.ExitCode, Usage: res.Usage, Err: res.Err})
}
