package llm

import (
	"context"
	"net/http"

	"github.com/ollama/ollama/api"
)

// Embed implements Embedder with Ollama's /api/embed
// (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-embeddings). Input tokens
// are Ollama's prompt_eval_count.
func (c *ollamaCore) Embed(ctx context.Context, req EmbedRequest) (EmbedResponse, error) {
	model, err := c.embedModel(req)
	if err != nil {
		return EmbedResponse{}, err
	}
	return c.embed(ctx, req, model, func(ctx context.Context) (EmbedResponse, error) {
		x := &exchange{next: c.transport, host: c.base.Host, key: c.key}
		client := api.NewClient(c.base, &http.Client{Transport: x})
		out, err := client.Embed(ctx, &api.EmbedRequest{Model: model, Input: req.Input})
		if err != nil {
			return EmbedResponse{}, x.explain(err)
		}
		return EmbedResponse{Model: out.Model, Vectors: out.Embeddings, Usage: EmbedUsage{InputTokens: out.PromptEvalCount}}, nil
	}, c.explain)
}
