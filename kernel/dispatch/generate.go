package dispatch

import (
	"context"
	"fmt"
	"slices"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// Generate implements llm.Core. The caller is read from ctx (see WithCaller). The request's
// estimate is reserved against the caller's budgets, the request waits its turn, runs on a core
// and is retried there or elsewhere on retryable failures; the budgets are then charged what
// the generation used. Cancelling ctx cancels the backend request and frees its core at once.
//
// Under a queue with a time slice, the generation may run in several pieces: stopped at a slice
// end to let another job have the core, queued again, and resumed as a continuation (see the
// package documentation). A stream cut short by the backend is resumed the same way. onChunk
// sees every piece of text once, in order, and the result is the text of one uninterrupted
// generation.
//
// # Usage
//
// The reservation is held across all pieces and settled once. The usage returned and charged
// is that of one uninterrupted generation, counted once: the prompt's input tokens once and
// the tokens of the whole text as output. It is derived from the last piece, which read the
// prompt and the text before it and wrote the rest: the text before it counts as output, not
// input, its size being the chunks streamed before (backends stream about one token per chunk).
// Whatever else resumption costs (the prompt and partial text read again by every piece but
// the last, and the partial text read by the last) is not charged to the agent; it is counted
// in the dispatcher's Overhead. A generation that fails or is cancelled releases its
// reservation and is charged nothing. What a successful one was charged also goes to the
// receipt function the context carries, if any (see WithReceipt).
func (d *Dispatcher) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	if len(req.Messages) == 0 {
		return llm.Response{}, fmt.Errorf("generate: a request needs at least one message")
	}
	caller, _ := CallerFrom(ctx)
	r, err := d.resolve(req.Model)
	if err != nil {
		return llm.Response{}, err
	}
	input := d.opts.EstimateInput(req)
	asked := req.MaxTokens
	r, req.MaxTokens, err = d.fitContext(ctx, r, asked, input)
	if err != nil {
		return llm.Response{}, fmt.Errorf("generate: %w", err)
	}
	if asked == 0 && d.opts.Ledger != nil {
		req.MaxTokens = fitBudget(d.opts.Ledger, caller.payer(), input, req.MaxTokens)
	}
	tokens := quota.Add(input, req.MaxTokens) // saturates: a huge max_tokens must not wrap below a limit
	r.cores = fitting(r.cores, tokens)
	if len(r.cores) == 0 {
		// No wait can help, so the request is malformed rather than the backend at fault.
		return llm.Response{}, fmt.Errorf("generate: %w: about %d tokens exceed the per-minute token limit of every core that serves %q; ask for fewer",
			llm.ErrBadRequest, tokens, req.Model)
	}
	var res *quota.Reservation
	if d.opts.Ledger != nil {
		var price quota.Cost
		for _, c := range r.cores {
			price = max(price, c.cost(llm.Usage{InputTokens: input, OutputTokens: req.MaxTokens}))
		}
		res, err = d.opts.Ledger.Reserve(caller.payer(), quota.Amount{Tokens: int64(tokens), Money: price})
		if err != nil {
			return llm.Response{}, fmt.Errorf("generate for agent %q: %w", caller.Agent, err)
		}
	}
	var rc Receipt
	resp, cost, err := d.run(ctx, caller, req, r, tokens, onChunk, &rc)
	if res != nil {
		if err != nil {
			res.Release()
		} else {
			res.Settle(quota.Amount{Tokens: int64(usedTokens(resp.Usage)), Money: cost})
		}
	}
	if err == nil {
		rc.Core, rc.Usage, rc.Cost = resp.Core, resp.Usage, cost
		deliver(ctx, rc)
	}
	return resp, err
}

func fitting(cores []*core, tokens int) []*core {
	return keepCores(cores, func(i int) bool { return cores[i].fits(tokens) })
}

// keepCores returns the cores of cs for which keep(i) holds, in order: cs itself when all do
// (the common case on every generation, which then allocates nothing), else a new slice. cs
// may be shared and is never written.
func keepCores(cs []*core, keep func(i int) bool) []*core {
	for i := range cs {
		if keep(i) {
			continue
		}
		out := slices.Clone(cs[:i])
		for j := i + 1; j < len(cs); j++ {
			if keep(j) {
				out = append(out, cs[j])
			}
		}
		return out
	}
	return cs
}

// fitBudget lowers a default max_tokens to what the payer's budgets have room for after the
// estimated prompt, so that an agent with a small budget that asks for no particular length
// gets a shorter answer rather than a refusal. With no room past the prompt it leaves n as it
// is: the reservation then refuses the call and names the budget.
func fitBudget(l *quota.Ledger, p quota.Payer, input, n int) int {
	room, limited := l.TokenRoom(p)
	if !limited || room <= int64(input) {
		return n
	}
	return int(min(int64(n), room-int64(input)))
}
