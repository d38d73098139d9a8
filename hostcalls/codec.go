package hostcalls

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/aiosys/aios/kernel/llm"
)

// DecodeGenerateRequest decodes and validates a GenerateRequest body (docs/ABI.md section 5).
// Unknown fields are ignored. A body that is not a JSON object, has no messages, has a message
// with an unknown role, a negative max_tokens or a negative temperature is EINVAL.
func DecodeGenerateRequest(body []byte) (llm.Request, error) {
	var req llm.Request
	if len(body) == 0 || firstNonSpace(body) != '{' {
		return llm.Request{}, fail(EINVAL, "GenerateRequest must be a JSON object")
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return llm.Request{}, failWrap(EINVAL, "malformed GenerateRequest", err)
	}
	if err := validateRequest(req); err != nil {
		return llm.Request{}, err
	}
	return req, nil
}

func validateRequest(req llm.Request) error {
	if len(req.Messages) == 0 {
		return fail(EINVAL, "GenerateRequest needs at least one message")
	}
	for i, m := range req.Messages {
		switch m.Role {
		case "system", "user", "assistant":
		default:
			return fail(EINVAL, fmt.Sprintf("messages[%d]: role %q is not one of system, user, assistant", i, m.Role))
		}
	}
	if req.MaxTokens < 0 {
		return fail(EINVAL, fmt.Sprintf("max_tokens %d is negative", req.MaxTokens))
	}
	if t := req.Temperature; t != nil && (*t < 0 || math.IsNaN(*t) || math.IsInf(*t, 0)) {
		return fail(EINVAL, fmt.Sprintf("temperature %v is not a non-negative number", *t))
	}
	return nil
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// encodeResult marshals v as a result body and checks it against the response limit.
func encodeResult(v any, limit uint64) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, failWrap(EINTERNAL, "encode result", err)
	}
	if uint64(len(b)) > limit {
		return nil, fail(E2BIG, fmt.Sprintf("result of %d bytes is larger than the response limit (%d bytes)", len(b), limit))
	}
	return b, nil
}
