package dispatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// Embed implements llm.Embedder. The model is resolved as for a generation (alias, class,
// model), among the cores that implement llm.Embedder; the first of them in configuration
// order not cooling down gets the request, and on a retryable failure the next one. The
// caller's budgets are charged like a generation's input: the estimate is reserved at
// admission and settled to the input tokens the backend reported, at the core's input price;
// the charge goes to the context's receipt function (see WithReceipt).
//
// # Notes
//
// Embeddings do not wait in the scheduler's queue, but they hold a place of the core's capacity
// and count in its RPM/TPM windows like a generation: a core is never sent more than its limits
// allow, and an embedding waits (honouring ctx) for room on it. No core implementing
// llm.Embedder for the model is llm.ErrNoEmbedder.
func (d *Dispatcher) Embed(ctx context.Context, req llm.EmbedRequest) (llm.EmbedResponse, error) {
	if len(req.Input) == 0 {
		return llm.EmbedResponse{}, fmt.Errorf("embed: %w: a request needs at least one input", llm.ErrBadRequest)
	}
	caller, _ := CallerFrom(ctx)
	r, err := d.resolve(req.Model)
	if err != nil {
		return llm.EmbedResponse{}, err
	}
	cores := d.embedders(r)
	if len(cores) == 0 {
		return llm.EmbedResponse{}, fmt.Errorf("model %q: %w", req.Model, llm.ErrNoEmbedder)
	}
	estimate := embedEstimate(req)
	var res *quota.Reservation
	if d.opts.Ledger != nil {
		var price quota.Cost
		for _, c := range cores {
			price = max(price, c.cost(llm.Usage{InputTokens: estimate}))
		}
		res, err = d.opts.Ledger.Reserve(caller.payer(), quota.Amount{Tokens: int64(estimate), Money: price})
		if err != nil {
			return llm.EmbedResponse{}, fmt.Errorf("embed for agent %q: %w", caller.Agent, err)
		}
	}
	resp, used, retries, err := d.embedOn(ctx, cores, r, req)
	if err != nil {
		if res != nil {
			res.Release()
		}
		return llm.EmbedResponse{}, err
	}
	usage := llm.Usage{InputTokens: resp.Usage.InputTokens}
	cost := used.cost(usage)
	if res != nil {
		res.Settle(quota.Amount{Tokens: int64(usage.InputTokens), Money: cost})
	}
	deliver(ctx, Receipt{Core: resp.Core, Usage: usage, Cost: cost, Retries: retries})
	return resp, nil
}

// embedders returns the cores of r that compute embeddings and are not cooling down.
func (d *Dispatcher) embedders(r route) []*core {
	now := d.opts.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []*core
	for _, c := range r.cores {
		if _, ok := c.Core.(llm.Embedder); ok && !now.Before(c.coolUntil) {
			out = append(out, c)
		}
	}
	return out
}

// embedOn tries cores in order until one succeeds or fails for a reason retrying cannot fix.
func (d *Dispatcher) embedOn(ctx context.Context, cores []*core, r route, req llm.EmbedRequest) (llm.EmbedResponse, *core, int, error) {
	var errs []error
	for i, c := range cores {
		creq := req
		creq.Model = r.modelFor(c)
		release, err := d.admitEmbed(ctx, c, embedEstimate(req))
		if err != nil {
			return llm.EmbedResponse{}, nil, i, fmt.Errorf("core %s: %w", c.name, err)
		}
		resp, err := c.Core.(llm.Embedder).Embed(ctx, creq)
		release(resp.Usage.InputTokens)
		if err == nil {
			if resp.Core == "" {
				resp.Core = c.name
			}
			return resp, c, i, nil
		}
		err = fmt.Errorf("core %s: %w", c.name, err)
		if ctx.Err() != nil {
			return llm.EmbedResponse{}, nil, i, err
		}
		if retry, _ := d.opts.Retryable(err); !retry {
			return llm.EmbedResponse{}, nil, i, err
		}
		errs = append(errs, err)
	}
	return llm.EmbedResponse{}, nil, len(cores), fmt.Errorf("embed: %w: %w", ErrBackend, errors.Join(errs...))
}

// embedEstimate errs high like EstimateInput: about one token per three bytes, plus one per
// input.
func embedEstimate(req llm.EmbedRequest) int {
	n := 0
	for _, s := range req.Input {
		n += len(s)/3 + 1
	}
	return n
}

// embedPoll is how often an embedding waiting only for a free place on a full core looks again;
// waits for rate-limit windows and cooldowns are computed exactly.
const embedPoll = 5 * time.Millisecond

// admitEmbed waits until c has a free place and room in its RPM/TPM windows for tokens, takes
// them, and returns the function that gives the place back, correcting the TPM window to the
// tokens actually used (zero: keep the estimate).
func (d *Dispatcher) admitEmbed(ctx context.Context, c *core, tokens int) (release func(used int), err error) {
	if !c.fits(tokens) {
		return nil, fmt.Errorf("an embedding of about %d tokens exceeds the core's TPM limit of %d", tokens, c.tpm.limit)
	}
	for {
		now := d.opts.Now()
		d.mu.Lock()
		wait, full := c.readyIn(now, tokens)
		if wait == 0 && !full {
			c.inflight++
			if c.rpm != nil {
				c.rpm.add(now, 1)
			}
			var tpm *sent
			if c.tpm != nil {
				tpm = c.tpm.add(now, tokens)
			}
			d.mu.Unlock()
			return func(used int) {
				d.mu.Lock()
				defer d.mu.Unlock()
				c.inflight--
				c.tput.add(d.opts.Now(), used)
				if tpm != nil && used > 0 {
					c.tpm.correct(tpm, used)
				}
				d.schedule()
			}, nil
		}
		d.mu.Unlock()
		if wait == 0 {
			wait = embedPoll
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}
