package kernel

import (
	"context"
	"fmt"
	"slices"

	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// Embed computes one embedding vector per input for the process (ABI 1.1's llm_embed).
//
// Policy decides the call first ("llm_embed", with the model as llm_generate's). The request
// goes to the kernel's core as the process's own (dispatch.WithCaller), which must implement
// llm.Embedder (the dispatcher, Cores and the echo core do); otherwise the error matches
// llm.ErrNoEmbedder. The input tokens are added to the process's usage, per core.
func (p *Process) Embed(ctx context.Context, req llm.EmbedRequest) (_ llm.EmbedResponse, err error) {
	if len(req.Input) == 0 {
		return llm.EmbedResponse{}, fmt.Errorf("embed: %w", ErrInvalid)
	}
	t := p.startCall("llm_embed")
	defer t.end(&err)
	if err := p.authorizeEmbed(ctx, req); err != nil {
		return llm.EmbedResponse{}, err
	}
	p.block()
	defer p.unblock()
	emb, ok := p.k.core.(llm.Embedder)
	if !ok {
		return llm.EmbedResponse{}, fmt.Errorf("embed on core %s: %w", p.k.core.Name(), llm.ErrNoEmbedder)
	}
	var receipt *dispatch.Receipt
	ctx = dispatch.WithCaller(ctx, p.caller())
	ctx = dispatch.WithReceipt(ctx, func(r dispatch.Receipt) { receipt = &r })
	resp, err := emb.Embed(ctx, req)
	if err != nil {
		return llm.EmbedResponse{}, err
	}
	rc := dispatch.Receipt{Core: resp.Core, Usage: llm.Usage{InputTokens: resp.Usage.InputTokens}}
	if receipt != nil {
		rc = *receipt
	}
	p.mu.Lock()
	p.usage.addEmbedding(rc)
	p.mu.Unlock()
	t.noteGeneration(generationEnd(req.Model, rc.Core, rc.Usage, nil))
	return resp, nil
}

// authorizeEmbed decides an embedding request by policy, naming its model and class as a
// generation's are named.
func (p *Process) authorizeEmbed(ctx context.Context, req llm.EmbedRequest) error {
	g := p.k.gate
	if g == nil {
		return nil
	}
	args := map[string]any{"inputs": len(req.Input)}
	model, class := g.resolve(req.Model)
	if model != "" {
		args["model"] = model
	}
	if class != "" {
		args["class"] = class
	}
	_, err := p.Authorize(ctx, "llm_embed", args)
	return err
}

// addEmbedding records one successful embedding request: a call whose input tokens count
// like a generation's, on the core that served it.
func (u *Usage) addEmbedding(rc dispatch.Receipt) {
	in := max(rc.Usage.InputTokens, 0) // counts come from backends: saturate (see quota.Add)
	u.Calls++
	u.InputTokens = quota.Add(u.InputTokens, in)
	u.Cost = quota.Add(u.Cost, max(rc.Cost, 0))
	if u.Cores == nil {
		u.Cores = map[string]CoreUsage{}
	}
	c := u.Cores[rc.Core]
	c.InputTokens = quota.Add(c.InputTokens, in)
	c.Cost = quota.Add(c.Cost, max(rc.Cost, 0))
	c.Retries += rc.Retries
	u.Cores[rc.Core] = c
}

// Embed implements llm.Embedder: the request goes to the first core that serves its model
// (any core for an empty model) and implements llm.Embedder.
func (cs Cores) Embed(ctx context.Context, req llm.EmbedRequest) (llm.EmbedResponse, error) {
	for _, c := range cs {
		emb, ok := c.(llm.Embedder)
		if !ok {
			continue
		}
		if ms := c.Models(); req.Model != "" && len(ms) > 0 && !slices.Contains(ms, req.Model) {
			continue
		}
		resp, err := emb.Embed(ctx, req)
		if err != nil {
			return llm.EmbedResponse{}, fmt.Errorf("core %s: %w", c.Name(), err)
		}
		if resp.Core == "" {
			resp.Core = c.Name()
		}
		return resp, nil
	}
	return llm.EmbedResponse{}, fmt.Errorf("model %q: %w", req.Model, llm.ErrNoEmbedder)
}

// caller is the process as the dispatcher schedules and charges it.
func (p *Process) caller() dispatch.Caller {
	return dispatch.Caller{Agent: p.spec.Name, Tenant: p.spec.Tenant, Priority: p.spec.Priority, PID: uint64(p.pid), Run: p.run}
}
