package telemetry

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/policy"
)

// ScopeName is the instrumentation scope of aios's spans.
const ScopeName = "github.com/aiosys/aios"

// RunSpanName is the name of a run's span; each system call's span is named CallSpanPrefix
// and the call, e.g. "aios.llm_generate".
const (
	RunSpanName    = "aios.run"
	CallSpanPrefix = "aios."
)

// Runs makes the spans of agent runs.
type Runs struct {
	tracer trace.Tracer
}

// NewRuns returns Runs whose spans tp's tracer makes.
func NewRuns(tp trace.TracerProvider) *Runs {
	return &Runs{tracer: tp.Tracer(ScopeName)}
}

// RunStart is what a run's span says of the run when it starts.
type RunStart struct {
	// RunID names the run, e.g. the server's run id; empty for runs that have none.
	RunID string
	// Agent is who runs: its name, tenant, publisher key, version and digest.
	Agent policy.Agent
}

// RunEnd is how a run ended.
type RunEnd struct {
	PID      kernel.PID
	ExitCode int
	Usage    kernel.Usage
	// Err is why the host ended the run (a limit, a trap) or could not start it; nil when the
	// agent ended by itself.
	Err error
}

// Run is the span of one run in progress; it is the run's kernel.CallTracer, so that each
// system call's span is a child of it.
type Run struct {
	ctx    context.Context
	span   trace.Span
	tracer trace.Tracer
}

// Start begins a run's span, a child of the span in ctx if there is one.
func (r *Runs) Start(ctx context.Context, s RunStart) *Run {
	a := s.Agent
	attrs := []attribute.KeyValue{attribute.String("aios.agent", a.Name)}
	attrs = appendNonEmpty(attrs, "aios.run.id", s.RunID)
	attrs = appendNonEmpty(attrs, "aios.tenant", a.Tenant)
	attrs = appendNonEmpty(attrs, "aios.publisher", a.Publisher)
	attrs = appendNonEmpty(attrs, "aios.agent.version", a.Version)
	attrs = appendNonEmpty(attrs, "aios.agent.digest", a.Digest)
	ctx, span := r.tracer.Start(ctx, RunSpanName, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return &Run{ctx: ctx, span: span, tracer: r.tracer}
}

// StartCall begins the span of one system call of the run (kernel.CallTracer). A run that is
// not sampled traces its calls at no cost.
func (r *Run) StartCall(call string) kernel.CallSpan {
	if !r.span.IsRecording() {
		return noCall{}
	}
	_, span := r.tracer.Start(r.ctx, CallSpanPrefix+call, trace.WithAttributes(attribute.String("aios.call", call)))
	return callSpan{span: span}
}

// End ends the run's span with how the run ended.
func (r *Run) End(e RunEnd) {
	u := e.Usage
	r.span.SetAttributes(
		attribute.Int64("aios.pid", int64(e.PID)),
		attribute.Int("aios.exit_code", e.ExitCode),
		attribute.Int("aios.usage.calls", u.Calls),
		attribute.Int("aios.usage.denied", u.Denied),
		attribute.Int("aios.usage.generations", u.Generations),
		attribute.Int("aios.usage.tool_calls", u.ToolCalls),
		attribute.Int("aios.usage.input_tokens", u.InputTokens),
		attribute.Int("aios.usage.output_tokens", u.OutputTokens),
		attribute.Int64("aios.usage.cost_micro_usd", int64(u.Cost)),
	)
	if e.Err != nil {
		r.span.SetStatus(codes.Error, e.Err.Error())
	}
	r.span.End()
}

// callSpan is the span of one system call.
type callSpan struct{ span trace.Span }

// End records the decision, the error number and what a generation used, and ends the span.
func (c callSpan) End(e kernel.CallEnd) {
	decision := "allow"
	var denied *kernel.DeniedError
	if errors.As(e.Err, &denied) {
		decision = "deny"
		c.span.SetAttributes(attribute.String("aios.deny_reason", denied.Reason))
	}
	errno := errnoOf(e.Err)
	c.span.SetAttributes(attribute.String("aios.decision", decision), attribute.String("aios.errno", errno))
	if g := e.Generation; g != nil {
		c.span.SetAttributes(attribute.String("aios.core", g.Core),
			attribute.Int("gen_ai.usage.input_tokens", g.InputTokens),
			attribute.Int("gen_ai.usage.output_tokens", g.OutputTokens))
		if g.Model != "" {
			c.span.SetAttributes(attribute.String("gen_ai.request.model", g.Model))
		}
	}
	if e.Err != nil {
		c.span.SetStatus(codes.Error, errno+": "+e.Err.Error())
	}
	c.span.End()
}

// noCall is the span of a call of a run that is not sampled.
type noCall struct{}

func (noCall) End(kernel.CallEnd) {}

func appendNonEmpty(attrs []attribute.KeyValue, key, value string) []attribute.KeyValue {
	if value == "" {
		return attrs
	}
	return append(attrs, attribute.String(key, value))
}
