package kernel

import (
	"context"
	"sync"

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
	key := newGenerationArgsKey(model, class, req.MaxTokens)
	d, err := p.authorize(ctx, "llm_generate", p.k.gate.generationArgs(key), &key, false)
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

// generationArgs returns the policy arguments of a generation of k's model and class with k's
// maxTokens (zero: none asked). Each distinct set is built once and shared, never
// written again (policy and the audit log only read arguments), so that deciding a generation
// builds no map; past maxGenerationArgs sets, a new set is built for each call instead.
func (g *Gate) generationArgs(k generationArgsKey) map[string]any {
	g.genArgs.mu.RLock()
	args, ok := g.genArgs.m[k]
	g.genArgs.mu.RUnlock()
	if ok {
		return args
	}
	args = map[string]any{}
	if k.model != "" {
		args["model"] = k.model
	}
	if k.class != "" {
		args["class"] = k.class
	}
	if k.maxTokens > 0 {
		args["max_tokens"] = k.maxTokens
	}
	g.genArgs.mu.Lock()
	defer g.genArgs.mu.Unlock()
	if len(g.genArgs.m) < maxGenerationArgs {
		if g.genArgs.m == nil {
			g.genArgs.m = map[generationArgsKey]map[string]any{}
		}
		g.genArgs.m[k] = args
	}
	return args
}

// maxGenerationArgs bounds the argument sets a gate keeps (a guest chooses max_tokens).
const maxGenerationArgs = 1024

// generationArgsKey names a generation's policy arguments: its model, class and max_tokens.
type generationArgsKey struct {
	model, class string
	maxTokens    int // zero: none asked
}

// newGenerationArgsKey is the key of a generation of model and class with maxTokens (zero or
// less: none asked).
func newGenerationArgsKey(model, class string, maxTokens int) generationArgsKey {
	return generationArgsKey{model, class, max(maxTokens, 0)}
}

// generationArgsCache is the gate's shared generation arguments.
type generationArgsCache struct {
	mu sync.RWMutex
	m  map[generationArgsKey]map[string]any
}
