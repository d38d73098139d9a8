package hostcalls

import (
	"encoding/json"
	"fmt"

	"github.com/aiosys/aios/kernel/llm"
)

// DecodeEmbedRequest decodes and validates an EmbedRequest body (docs/ABI.md section 5).
// Unknown fields are ignored. A body that is not a JSON object, has no input, or more than
// MaxEmbedInputs inputs is EINVAL.
func DecodeEmbedRequest(body []byte) (llm.EmbedRequest, error) {
	var req llm.EmbedRequest
	if len(body) == 0 || firstNonSpace(body) != '{' {
		return llm.EmbedRequest{}, fail(EINVAL, "EmbedRequest must be a JSON object")
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return llm.EmbedRequest{}, failWrap(EINVAL, "malformed EmbedRequest", err)
	}
	if err := validateEmbedRequest(req); err != nil {
		return llm.EmbedRequest{}, err
	}
	return req, nil
}

func validateEmbedRequest(req llm.EmbedRequest) error {
	switch n := len(req.Input); {
	case n == 0:
		return fail(EINVAL, "EmbedRequest needs at least one input")
	case n > MaxEmbedInputs:
		return fail(EINVAL, fmt.Sprintf("EmbedRequest has %d inputs; at most %d are allowed", n, MaxEmbedInputs))
	}
	return nil
}
