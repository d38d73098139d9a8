package kernel

import (
	"context"

	"github.com/aiosys/aios/kernel/llm"
)

// DefaultModel is the model name policy sees for a generation that names no model or class:
// the kernel's default route. A manifest or grant allows it by listing "default" (or "*").
const DefaultModel = "default"

// authorizeGenerate decides a generation by policy and returns req with the decision's
// obligations applied: max_tokens capped, and the request routed to the obliged core class
// unless what it names is already served by that class alone.
func (p *Process) authorizeGenerate(ctx context.Context, req llm.Request) (llm.Request, error) {
	if p.k.gate == nil {
		return req, nil
	}
	name := req.Routed().Model
	model, class := p.k.gate.resolve(name)
	args := map[string]any{}
	if model != "" {
		args["model"] = model
	}
	if class != "" {
		args["class"] = class
	}
	if req.MaxTokens > 0 {
		args["max_tokens"] = req.MaxTokens
	}
	d, err := p.Authorize(ctx, "llm_generate", args)
	if err != nil {
		return req, err
	}
	if c := d.Obligations.MaxTokens; c > 0 && (req.MaxTokens == 0 || req.MaxTokens > c) {
		req.MaxTokens = c
	}
	if c := d.Obligations.CoreClass; c != "" && c != class {
		req = req.Routed()
		req.Model = c
	}
	return req, nil
}

// resolve names the model and class a generation asking for name uses, for policy.
func (g *Gate) resolve(name string) (model, class string) {
	if g.cfg.Resolve != nil {
		return g.cfg.Resolve(name)
	}
	if name == "" {
		return DefaultModel, ""
	}
	return name, ""
}
