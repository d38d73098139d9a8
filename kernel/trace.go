package kernel

import (
	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
)

// CallTracer is told of each system call of one process that the kernel's gate decides (the
// start, input, output, log, llm_generate, llm_embed and the memory, storage and tool calls),
// from before the decision to the call's end, so that an embedder can trace a run (package
// aios makes OpenTelemetry spans of it). It is set per process (Spec.Trace), so the calls of
// a run are told to that run's tracer.
//
// # Notes
//
// A process without a tracer (the default) spends nothing on tracing: no call to it, no
// allocation. Calls are told from the calling agent's goroutines, several at once when the
// agent has calls in flight; neither method may block.
type CallTracer interface {
	// StartCall is told that the process began the system call named call (as docs/POLICY.md
	// names it). The returned CallSpan, which must not be nil, is ended exactly once.
	StartCall(call string) CallSpan
}

// CallSpan is one traced system call in progress.
type CallSpan interface {
	// End is told how the call ended.
	End(CallEnd)
}

// CallEnd is how a traced system call ended.
type CallEnd struct {
	// Err is nil when the call succeeded. A call policy refused ends with a *DeniedError, whose
	// Reason says why; any other error is the call's own failure after it was allowed.
	Err error
	// Generation, for a generation or an embedding that a core served, says which core and how
	// many tokens; nil for other calls and failed ones.
	Generation *GenerationEnd
}

// GenerationEnd is what a traced generation or embedding used.
type GenerationEnd struct {
	Core         string // the core that served it
	Model        string // the model the request named, "" for the route's default
	InputTokens  int
	OutputTokens int
}

// callTrace is a traced call in progress; nil when the process has no tracer, and then every
// method is a no-op, so the untraced path costs a nil check.
type callTrace struct {
	span      CallSpan
	gen       GenerationEnd
	generated bool
}

// startCall begins tracing call, or returns nil when the process has no tracer.
func (p *Process) startCall(call string) *callTrace {
	if p.spec.Trace == nil {
		return nil
	}
	return &callTrace{span: p.spec.Trace.StartCall(call)}
}

// noteGeneration notes what a generation or embedding used, for the call's end. g is taken
// by value and kept in t, so that an untraced call does not move it to the heap.
func (t *callTrace) noteGeneration(g GenerationEnd) {
	if t != nil {
		t.gen, t.generated = g, true
	}
}

// end ends the call with *err (for use in a defer: the error is read when the call returns).
// It inlines to a nil check when the process has no tracer.
func (t *callTrace) end(err *error) {
	if t != nil {
		t.finish(*err)
	}
}

// finish ends the traced call with err.
func (t *callTrace) finish(err error) {
	e := CallEnd{Err: err}
	if err == nil && t.generated {
		e.Generation = &t.gen
	}
	t.span.End(e)
}

// generationEnd is what a generation or embedding used, from the dispatcher's receipt when one
// was given, otherwise from the response.
func generationEnd(model, core string, u llm.Usage, r *dispatch.Receipt) GenerationEnd {
	if r != nil {
		core, u = r.Core, r.Usage
	}
	return GenerationEnd{Core: core, Model: model, InputTokens: max(u.InputTokens, 0), OutputTokens: max(u.OutputTokens, 0)}
}
