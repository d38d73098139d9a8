package llm

import (
	"context"
	"fmt"

	"github.com/openai/openai-go/v3"
)

// Embed implements Embedder with the embeddings API (POST /embeddings), asking for float
// vectors. Vectors come back in input order whatever order the server lists them in.
func (c *openAICore) Embed(ctx context.Context, req EmbedRequest) (EmbedResponse, error) {
	model, err := c.embedModel(req)
	if err != nil {
		return EmbedResponse{}, err
	}
	params := openai.EmbeddingNewParams{
		Model:          openai.EmbeddingModel(model),
		Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: req.Input},
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatFloat,
	}
	return c.embed(ctx, req, model, func(ctx context.Context) (EmbedResponse, error) {
		out, err := c.embeddings.New(ctx, params)
		if err != nil {
			return EmbedResponse{}, err
		}
		resp := EmbedResponse{
			Model:   out.Model,
			Vectors: make([][]float32, len(req.Input)),
			Usage:   EmbedUsage{InputTokens: int(out.Usage.PromptTokens)},
		}
		for _, e := range out.Data {
			if e.Index < 0 || e.Index >= int64(len(req.Input)) || resp.Vectors[e.Index] != nil {
				return EmbedResponse{}, fmt.Errorf("the backend answered embedding index %d for %d inputs", e.Index, len(req.Input))
			}
			resp.Vectors[e.Index] = toFloat32(e.Embedding)
		}
		for i, v := range resp.Vectors {
			if v == nil {
				return EmbedResponse{}, fmt.Errorf("the backend answered no embedding for input %d", i)
			}
		}
		return resp, nil
	}, c.explain)
}

func toFloat32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
