package kernel

import (
	"context"
	"fmt"

	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/space"
)

// The memory calls of ABI 1.2. Each takes shared, the shared space the agent names ("" for its
// own, see memorySpace), is decided by policy (args.space for a shared space), and runs on the
// kernel's memory store with the process blocked.

// MemoryAdd stores e and returns its id.
func (p *Process) MemoryAdd(ctx context.Context, shared string, e memory.Entry) (memory.ID, error) {
	var id memory.ID
	err := p.memoryCall(ctx, "memory_add", shared, func(ctx context.Context, m *memory.Store, sp space.Space) (err error) {
		id, err = m.Add(ctx, sp, e)
		return err
	})
	return id, err
}

// MemoryGet returns the entry id.
func (p *Process) MemoryGet(ctx context.Context, shared string, id memory.ID) (memory.Record, error) {
	var r memory.Record
	err := p.memoryCall(ctx, "memory_get", shared, func(ctx context.Context, m *memory.Store, sp space.Space) (err error) {
		r, err = m.Get(ctx, sp, id)
		return err
	})
	return r, err
}

// MemoryUpdate replaces the text and metadata of entry id.
func (p *Process) MemoryUpdate(ctx context.Context, shared string, id memory.ID, e memory.Entry) error {
	return p.memoryCall(ctx, "memory_update", shared, func(ctx context.Context, m *memory.Store, sp space.Space) error {
		return m.Update(ctx, sp, id, e)
	})
}

// MemoryDelete removes entry id.
func (p *Process) MemoryDelete(ctx context.Context, shared string, id memory.ID) error {
	return p.memoryCall(ctx, "memory_delete", shared, func(ctx context.Context, m *memory.Store, sp space.Space) error {
		return m.Delete(ctx, sp, id)
	})
}

// MemorySearch returns the entries that best match q.
func (p *Process) MemorySearch(ctx context.Context, shared string, q memory.Query) ([]memory.Hit, error) {
	var hits []memory.Hit
	err := p.memoryCall(ctx, "memory_search", shared, func(ctx context.Context, m *memory.Store, sp space.Space) (err error) {
		hits, err = m.Search(ctx, sp, q)
		return err
	})
	return hits, err
}

// memoryCall resolves the space, takes the policy decision and runs fn on the memory store.
func (p *Process) memoryCall(ctx context.Context, call, shared string, fn func(context.Context, *memory.Store, space.Space) error) (err error) {
	m := p.k.memory
	if m == nil {
		return fmt.Errorf("%s: memory %w (it needs a data directory)", call, ErrNoManager)
	}
	sp, args, err := p.memorySpace(shared)
	if err != nil {
		return err
	}
	defer p.startCall(call).end(&err)
	if _, err := p.Authorize(ctx, call, args); err != nil {
		return err
	}
	p.count()
	p.block()
	defer p.unblock()
	if err := fn(withProcess(ctx, p), m, sp); err != nil {
		return fmt.Errorf("%s: %w", call, err)
	}
	return nil
}

// MemoryEmbedder computes the embeddings of memory entries and queries through the kernel's
// llm_embed path: routed by Model like an agent's llm_embed, and charged to the process whose
// memory call asked for them. Give it to memory.Open and to WithMemory.
type MemoryEmbedder struct {
	Model string // "" routes as an llm_embed request naming no model does
	k     *Kernel
}

// Embed implements memory.Embedder.
func (e *MemoryEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if e.k == nil {
		return nil, fmt.Errorf("memory embedder: not bound to a kernel (kernel.WithMemory)")
	}
	emb, ok := e.k.core.(llm.Embedder)
	if !ok {
		return nil, fmt.Errorf("embed on core %s: %w", e.k.core.Name(), llm.ErrNoEmbedder)
	}
	var receipt *dispatch.Receipt
	p := processFrom(ctx)
	if p != nil {
		ctx = dispatch.WithCaller(ctx, p.caller())
		ctx = dispatch.WithReceipt(ctx, func(r dispatch.Receipt) { receipt = &r })
	}
	resp, err := emb.Embed(ctx, llm.EmbedRequest{Model: e.Model, Input: texts})
	if err != nil {
		return nil, err
	}
	if p != nil {
		rc := dispatch.Receipt{Core: resp.Core, Usage: llm.Usage{InputTokens: resp.Usage.InputTokens}}
		if receipt != nil {
			rc = *receipt
		}
		p.mu.Lock()
		p.usage.addEmbedding(rc)
		p.mu.Unlock()
	}
	return resp.Vectors, nil
}

type processKey struct{}

func withProcess(ctx context.Context, p *Process) context.Context {
	return context.WithValue(ctx, processKey{}, p)
}

func processFrom(ctx context.Context) *Process {
	p, _ := ctx.Value(processKey{}).(*Process)
	return p
}
