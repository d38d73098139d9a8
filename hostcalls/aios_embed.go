package hostcalls

import (
	"context"
	"fmt"

	"github.com/aiosys/aios/kernel/llm"
)

// llmEmbed implements llm_embed(req_ptr, req_len, out) (ABI 1.1): blocking embeddings whose
// result is an EmbedResponse. A result larger than the response limit is E2BIG.
func llmEmbed(ctx context.Context, g *Guest, mem Memory, p []uint64) error {
	req, err := readEmbedRequest(g, mem, p[0], p[1])
	if err != nil {
		return err
	}
	out := p[2]
	if err := g.prepareResult(mem, out); err != nil {
		return err
	}
	unblock := g.block()
	body, err := g.embed(ctx, req)
	unblock()
	if err != nil {
		return err
	}
	return g.deliver(mem, out, body)
}

// embed runs req on the kernel and encodes its result.
func (g *Guest) embed(ctx context.Context, req llm.EmbedRequest) ([]byte, error) {
	resp, err := g.proc.Embed(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	return encodeResult(resp, g.lim.Response)
}

// readEmbedRequest reads an EmbedRequest body from guest memory and decodes it.
func readEmbedRequest(g *Guest, mem Memory, ptr, n uint64) (llm.EmbedRequest, error) {
	b, err := viewRequest(mem, ptr, n, g.lim.Request)
	if err != nil {
		return llm.EmbedRequest{}, err
	}
	return DecodeEmbedRequest(b)
}
