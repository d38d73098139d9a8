package hostcalls

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/aiosys/aios/kernel/llm"
)

// Bounds on a request's lists, beyond the request-size limit, so that the work a request
// causes stays proportionate (docs/ABI.md section 5).
const (
	MaxTools       = 128 // tools one GenerateRequest may declare
	MaxEmbedInputs = 256 // texts one EmbedRequest may hold
)

// DecodeGenerateRequest decodes and validates a GenerateRequest body (docs/ABI.md section 5).
// Unknown fields are ignored. A body that is not a JSON object, or that llm.Request.Check
// refuses, names both a model and a class, or declares more than MaxTools tools, is EINVAL.
// Tool parameters come back compacted, a null one as none.
func DecodeGenerateRequest(body []byte) (llm.Request, error) {
	var req llm.Request
	if len(body) == 0 || firstNonSpace(body) != '{' {
		return llm.Request{}, fail(EINVAL, "GenerateRequest must be a JSON object")
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return llm.Request{}, failWrap(EINVAL, "malformed GenerateRequest", err)
	}
	for i := range req.Tools {
		req.Tools[i].Parameters = compactJSON(req.Tools[i].Parameters)
	}
	if err := validateRequest(req); err != nil {
		return llm.Request{}, err
	}
	return req, nil
}

func validateRequest(req llm.Request) error {
	if req.Model != "" && req.Class != "" {
		return fail(EINVAL, fmt.Sprintf("GenerateRequest names both model %q and class %q; name one", req.Model, req.Class))
	}
	if len(req.Tools) > MaxTools {
		return fail(EINVAL, fmt.Sprintf("GenerateRequest declares %d tools; at most %d are allowed", len(req.Tools), MaxTools))
	}
	if err := req.Check(); err != nil {
		return failWrap(EINVAL, "invalid GenerateRequest", err)
	}
	return nil
}

// compactJSON returns raw without insignificant space; JSON null, or nothing, as nil. raw was
// decoded by encoding/json, so it is valid.
func compactJSON(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if len(raw) == 0 || json.Compact(&b, raw) != nil || b.String() == "null" {
		return nil
	}
	return b.Bytes()
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
