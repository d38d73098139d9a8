package hostcalls

import (
	"context"
	"fmt"

	"github.com/aiosys/aios/kernel/llm"
)

// llmGenerate implements llm_generate(req_ptr, req_len, out): a blocking generation whose
// result is a GenerateResponse. With "stream": true the kernel sends the tokens to the agent's
// live log as they arrive.
func llmGenerate(ctx context.Context, g *Guest, mem Memory, p []uint64) error {
	req, err := readGenerateRequest(g, mem, p[0], p[1])
	if err != nil {
		return err
	}
	out := p[2]
	if err := g.prepareResult(mem, out); err != nil {
		return err
	}
	unblock := g.block()
	body, err := g.generate(ctx, req, nil)
	unblock()
	if err != nil {
		return err
	}
	return g.deliver(mem, out, body)
}

// generate runs req on the kernel, routed by its class when it names one (llm.Request.Routed),
// and encodes its result.
func (g *Guest) generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) ([]byte, error) {
	resp, err := g.proc.Generate(ctx, req.Routed(), onChunk)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return encodeResult(resp, g.lim.Response)
}

// readGenerateRequest reads a GenerateRequest body from guest memory and decodes it.
func readGenerateRequest(g *Guest, mem Memory, ptr, n uint64) (llm.Request, error) {
	b, err := viewRequest(mem, ptr, n, g.lim.Request)
	if err != nil {
		return llm.Request{}, err
	}
	return DecodeGenerateRequest(b)
}
