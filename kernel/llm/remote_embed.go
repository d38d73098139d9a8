package llm

import (
	"context"
	"fmt"
)

// embedModel returns the model an embedding request goes to: the one it names, else the
// core's first. It also checks the request, so that a malformed one costs no round trip.
func (r *remote) embedModel(req EmbedRequest) (string, error) {
	if err := checkEmbed(req); err != nil {
		return "", err
	}
	if req.Model != "" {
		return req.Model, nil
	}
	if len(r.models) == 0 {
		return "", fmt.Errorf("%w: the embedding request names no model and the core lists none", ErrBadRequest)
	}
	return r.models[0], nil
}

// embed runs call, one embedding request to the backend for model, holding a capacity slot
// and bounded by the core's timeout, as generate does for generations. A response without
// usage gets the word-count estimate.
func (r *remote) embed(ctx context.Context, req EmbedRequest, model string,
	call func(context.Context) (EmbedResponse, error), explain func(error) error) (EmbedResponse, error) {
	if err := r.slots.acquire(ctx); err != nil {
		return EmbedResponse{}, err
	}
	defer r.slots.release()
	rctx, cancel := withTimeout(ctx, r.timeout)
	defer cancel()

	resp, err := call(rctx)
	if err != nil {
		if cerr := ctxError(ctx, rctx, r.timeout); cerr != nil {
			return EmbedResponse{}, cerr
		}
		return EmbedResponse{}, explain(err)
	}
	if err := checkVectors(resp, len(req.Input)); err != nil {
		return EmbedResponse{}, err
	}
	resp.Core = r.name
	if resp.Model == "" {
		resp.Model = model
	}
	if resp.Usage.InputTokens == 0 {
		for _, s := range req.Input {
			resp.Usage.InputTokens += countWords(s)
		}
	}
	return resp, nil
}
