package aios

import (
	"context"
	"encoding/json"
	"fmt"
)

// Embed returns one embedding vector per input, in order, computed by model (empty: the
// host's default) with one llm_embed call (ABI 1.1). A host that implements only ABI 1.0
// gives ErrNotSupported; one whose models compute no embeddings gives ErrNotFound.
//
// # Notes
//
// ctx is checked before the call; the call itself is not interrupted by ctx's deadline, as an
// embedding request is short and a blocked guest cannot act on a deadline anyway.
func Embed(ctx context.Context, model string, inputs ...string) ([][]float32, error) {
	return std.embed(ctx, model, inputs)
}

// embedRequest and embedResponse are the ABI's EmbedRequest and EmbedResponse.
type embedRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type embedResponse struct {
	Model   string      `json:"model"`
	Core    string      `json:"core"`
	Vectors [][]float32 `json:"vectors"`
}

func (a *abi) embed(ctx context.Context, model string, inputs []string) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("aios: llm_embed: %w", err)
	}
	if len(inputs) == 0 {
		return nil, &Error{Code: ErrInvalid, Call: "llm_embed", Message: "embedding needs at least one input"}
	}
	if err := a.require(1, "llm_embed", "embeddings"); err != nil {
		return nil, err
	}
	body, err := json.Marshal(embedRequest{Model: model, Input: inputs})
	if err != nil {
		return nil, &Error{Code: ErrInvalid, Call: "llm_embed", Message: "encode request: " + err.Error()}
	}
	b, err := a.doResult("llm_embed", func(s syscalls, out *resultBuf) Errno { return s.llmEmbed(body, out) })
	if err != nil {
		return nil, err
	}
	var resp embedResponse
	if err := decodeBody("llm_embed", b, &resp); err != nil {
		return nil, err
	}
	if len(resp.Vectors) != len(inputs) {
		return nil, fmt.Errorf("aios: llm_embed: the host answered %d vectors for %d inputs", len(resp.Vectors), len(inputs))
	}
	return resp.Vectors, nil
}
