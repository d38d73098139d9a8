package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aiosys/aios/kernel/tools"
	"github.com/aiosys/aios/policy/audit"
)

// ToolManager runs the tools an operator configured; *tools.Manager is one.
type ToolManager interface {
	// List returns every configured tool.
	List(ctx context.Context) []tools.Info
	// Prepare finds tool name and validates args against its schema.
	Prepare(name string, args json.RawMessage) (tools.Call, error)
	// Run runs a prepared call for caller under the tool's rate, timeout and output cap.
	Run(ctx context.Context, caller string, c tools.Call) (tools.Result, error)
}

// WithTools gives the kernel's processes the tools of m (tool_list, tool_call).
func WithTools(m ToolManager) Option { return func(k *Kernel) { k.tools = m } }

// ToolList returns the tools policy lets the process call (ABI 1.2's tool_list), in the shape
// a generation's tools take. The call itself touches only the process's own view and is
// decided as such; each tool is then asked about as a tool_call naming it, without recording.
func (p *Process) ToolList(ctx context.Context) (_ []tools.Tool, err error) {
	defer p.startCall("tool_list").end(&err)
	if _, err := p.Authorize(ctx, "tool_list", map[string]any{}); err != nil {
		return nil, err
	}
	p.count()
	out := []tools.Tool{}
	if p.k.tools == nil {
		return out, nil
	}
	for _, t := range p.k.tools.List(ctx) {
		if p.permits(ctx, "tool_call", map[string]any{"tool": t.Name}) {
			out = append(out, t.Tool)
		}
	}
	return out, nil
}

// ToolCall runs tool name with args (ABI 1.2's tool_call): validated against the tool's schema
// first, then decided by policy (args.tool, and args.host for a tool that reaches a URL), with
// the confirmation obligation for a destructive tool, then run with the process blocked. The
// outcome and duration are recorded beside the decision (see Gate).
func (p *Process) ToolCall(ctx context.Context, name string, args json.RawMessage) (_ tools.Result, err error) {
	m := p.k.tools
	if m == nil {
		return tools.Result{}, fmt.Errorf("tool_call %s: %w (no tools are configured)", quoteName(name), tools.ErrUnknownTool)
	}
	c, err := m.Prepare(name, args)
	if err != nil {
		return tools.Result{}, fmt.Errorf("tool_call: %w", err)
	}
	pargs := map[string]any{"tool": c.Info.Name}
	if c.Host != "" {
		pargs["host"] = c.Host
	}
	defer p.startCall("tool_call").end(&err)
	if _, err := p.authorize(ctx, "tool_call", pargs, nil, c.Confirm); err != nil {
		return tools.Result{}, err
	}
	p.mu.Lock()
	p.usage.Calls++
	p.usage.ToolCalls++
	p.mu.Unlock()
	p.block()
	start := time.Now()
	res, err := m.Run(ctx, p.toolCaller(), c)
	p.unblock()
	p.recordOutcome(ctx, "tool_call", pargs, time.Since(start), res, err)
	if err != nil {
		return tools.Result{}, fmt.Errorf("tool_call %s: %w", quoteName(name), err)
	}
	return res, nil
}

// toolCaller is the key of the process's per-agent tool rates: its tenant and agent name.
func (p *Process) toolCaller() string {
	a := p.agent()
	return a.Tenant + "/" + a.Name
}

// OutcomeCall is the audit log's name for the record of how a tool call ended, written after
// the call's own decision: args has the call's arguments plus duration_ns, outcome ("ok",
// "tool_error" when the tool reported a failure, or "failed") and bytes of output.
const OutcomeCall = "tool_result"

// recordOutcome writes the outcome record of a call that policy allowed. A failure to record
// it is logged in the process's live log: the call has already happened.
func (p *Process) recordOutcome(ctx context.Context, call string, args map[string]any, d time.Duration, res tools.Result, err error) {
	g := p.k.gate
	if g == nil || g.cfg.Audit == nil {
		return
	}
	out := make(map[string]any, len(args)+3)
	for k, v := range args {
		out[k] = v
	}
	outcome, reason := "ok", fmt.Sprintf("%s ran for %s", call, d.Round(time.Microsecond))
	switch {
	case err != nil:
		outcome, reason = "failed", fmt.Sprintf("%s failed after %s: %v", call, d.Round(time.Microsecond), err)
	case res.IsError:
		outcome = "tool_error"
	}
	out["duration_ns"], out["outcome"], out["bytes"] = d.Nanoseconds(), outcome, res.Bytes
	a := p.agent()
	e := audit.Entry{Time: g.now(), Agent: a.Name, Version: a.Version, Digest: a.Digest, Publisher: a.Publisher,
		Tenant: a.Tenant, Call: OutcomeCall, Args: out, Allow: err == nil, Reason: audit.Truncate(reason, maxShownReason)}
	if rerr := g.cfg.Audit.Record(context.WithoutCancel(ctx), e); rerr != nil {
		p.emit(Event{Kind: EventLog, Level: 2, Text: "audit: the outcome of " + call + " could not be recorded: " + rerr.Error()})
	}
}
