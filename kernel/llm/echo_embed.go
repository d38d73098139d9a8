package llm

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
)

// EchoDimensions is the length of the echo core's embedding vectors.
const EchoDimensions = 16

// Embed implements Embedder with a hashed bag of words: each lower-cased word of an input adds
// +1 or -1 (by its FNV-1a hash) to one of EchoDimensions components (by the same hash), and
// the vector is scaled to unit length; an input without words gets the zero vector. Texts with
// the same words get the same vector, and texts sharing words have a positive dot product more
// often than not. Input tokens are the words of all inputs.
func (e *Echo) Embed(ctx context.Context, req EmbedRequest) (EmbedResponse, error) {
	if err := checkEmbed(req); err != nil {
		return EmbedResponse{}, err
	}
	if err := e.slots.acquire(ctx); err != nil {
		return EmbedResponse{}, err
	}
	defer e.slots.release()
	resp := EmbedResponse{
		Model:   e.model(Request{Model: req.Model}),
		Core:    e.name,
		Vectors: make([][]float32, len(req.Input)),
	}
	for i, text := range req.Input {
		resp.Vectors[i] = echoVector(text)
		resp.Usage.InputTokens += countWords(text)
	}
	return resp, nil
}

func echoVector(text string) []float32 {
	v := make([]float32, EchoDimensions)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		h := fnv.New32a()
		_, _ = h.Write([]byte(w)) // a hash.Hash never fails to write
		sum := h.Sum32()
		sign := float32(1)
		if sum&(1<<31) != 0 {
			sign = -1
		}
		v[sum%EchoDimensions] += sign
	}
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	if norm == 0 {
		return v
	}
	scale := float32(1 / math.Sqrt(norm))
	for i := range v {
		v[i] *= scale
	}
	return v
}
