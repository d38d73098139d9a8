package kernel

import (
	"context"
	"fmt"
	"slices"

	"github.com/aiosys/aios/kernel/llm"
)

// Cores sends a request to the first core that serves its model; an empty model goes to the
// first core. It is a minimal router without scheduling, quotas or retries, for tests and
// embedders that need none; a configured system uses the dispatcher (kernel/dispatch).
type Cores []llm.Core

// Name implements llm.Core.
func (cs Cores) Name() string { return "router" }

// Models implements llm.Core: the union of the cores' models, or nil if any core serves any.
func (cs Cores) Models() []string {
	var all []string
	for _, c := range cs {
		ms := c.Models()
		if len(ms) == 0 {
			return nil
		}
		all = append(all, ms...)
	}
	return all
}

// Generate implements llm.Core.
func (cs Cores) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	c, err := cs.route(req)
	if err != nil {
		return llm.Response{}, err
	}
	resp, err := c.Generate(ctx, req, onChunk)
	if err != nil {
		return llm.Response{}, fmt.Errorf("core %s: %w", c.Name(), err)
	}
	if resp.Core == "" {
		resp.Core = c.Name()
	}
	return resp, nil
}

func (cs Cores) route(req llm.Request) (llm.Core, error) {
	if len(cs) == 0 {
		return nil, fmt.Errorf("no LLM cores configured")
	}
	if req.Model == "" {
		return cs[0], nil
	}
	for _, c := range cs {
		if ms := c.Models(); len(ms) == 0 || slices.Contains(ms, req.Model) {
			return c, nil
		}
	}
	return nil, fmt.Errorf("model %q: %w", req.Model, llm.ErrNoModel)
}
