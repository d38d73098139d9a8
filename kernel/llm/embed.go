package llm

import (
	"context"
	"fmt"
)

// EmbedRequest asks for one embedding vector per input text: ABI 1.1's EmbedRequest.
type EmbedRequest struct {
	Model string   `json:"model"` // model name; empty: the core's default
	Input []string `json:"input"` // at least one text
}

// EmbedUsage counts the tokens an embedding request read.
type EmbedUsage struct {
	InputTokens int `json:"input_tokens"`
}

// EmbedResponse holds the vectors of an EmbedRequest, in input order: ABI 1.1's
// EmbedResponse.
type EmbedResponse struct {
	Model   string      `json:"model"`
	Core    string      `json:"core"`
	Vectors [][]float32 `json:"vectors"`
	Usage   EmbedUsage  `json:"usage"`
}

// Embedder is implemented by cores that compute embeddings. It is optional: a core that does
// not implement it serves generations only.
type Embedder interface {
	Embed(ctx context.Context, req EmbedRequest) (EmbedResponse, error)
}

// ErrNoEmbedder is returned when no core that serves the requested model computes embeddings.
// It matches ErrNoModel too, so the ABI reports it as ENOENT.
var ErrNoEmbedder error = noEmbedderError{}

type noEmbedderError struct{}

func (noEmbedderError) Error() string { return "no core computes embeddings with that model" }

// Is makes the error match ErrNoModel.
func (noEmbedderError) Is(target error) bool { return target == ErrNoModel }

// checkEmbed checks what every core needs of an embedding request.
func checkEmbed(req EmbedRequest) error {
	if len(req.Input) == 0 {
		return fmt.Errorf("%w: an embedding request needs at least one input", ErrBadRequest)
	}
	return nil
}

// checkVectors checks that a backend answered with one vector per input.
func checkVectors(resp EmbedResponse, inputs int) error {
	if len(resp.Vectors) != inputs {
		return fmt.Errorf("the backend answered %d vectors for %d inputs", len(resp.Vectors), inputs)
	}
	return nil
}
