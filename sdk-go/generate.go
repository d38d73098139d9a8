package aios

import (
	"context"
	"fmt"
)

// Generate asks an LLM for a generation and blocks until it is complete.
//
// Without a deadline on ctx it makes one blocking llm_generate call. With a deadline it submits
// the request and waits at most until the deadline, then cancels the call; the error then
// matches both ErrTimeout and context.DeadlineExceeded.
func Generate(ctx context.Context, req Request) (Response, error) { return std.generate(ctx, req) }

func (a *abi) generate(ctx context.Context, req Request) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, fmt.Errorf("aios: llm_generate: %w", err)
	}
	if what := req.uses11(); what != "" {
		if err := a.require(1, "llm_generate", what); err != nil {
			return Response{}, err
		}
	}
	if _, ok := ctx.Deadline(); ok {
		c, err := a.submit(req, false)
		if err != nil {
			return Response{}, err
		}
		return c.await(ctx)
	}
	body, err := req.encode("llm_generate", false)
	if err != nil {
		return Response{}, err
	}
	b, err := a.doResult("llm_generate", func(s syscalls, out *resultBuf) Errno { return s.llmGenerate(body, out) })
	if err != nil {
		return Response{}, err
	}
	var resp Response
	if err := decodeBody("llm_generate", b, &resp); err != nil {
		return Response{}, err
	}
	return resp, nil
}
