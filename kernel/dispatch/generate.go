package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/kernel/sched"
)

// Generate implements llm.Core. The caller is read from ctx (see WithCaller). The request's
// estimate is reserved against the caller's budgets, the request waits its turn, runs on a core
// and is retried there or elsewhere on retryable failures; the budgets are then charged what
// the generation used. Cancelling ctx cancels the backend request and frees its core at once.
func (d *Dispatcher) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	if len(req.Messages) == 0 {
		return llm.Response{}, fmt.Errorf("generate: a request needs at least one message")
	}
	caller, _ := CallerFrom(ctx)
	r, err := d.resolve(req.Model)
	if err != nil {
		return llm.Response{}, err
	}
	if req.MaxTokens <= 0 {
		req.MaxTokens = d.opts.DefaultMaxTokens
	}
	input := d.opts.EstimateInput(req)
	tokens := input + req.MaxTokens
	r.cores = fitting(r.cores, tokens)
	if len(r.cores) == 0 {
		return llm.Response{}, fmt.Errorf("generate: about %d tokens exceed the per-minute token limit of every core that serves %q", tokens, req.Model)
	}
	var res *quota.Reservation
	if d.opts.Ledger != nil {
		var price quota.Cost
		for _, c := range r.cores {
			price = max(price, c.cost(llm.Usage{InputTokens: input, OutputTokens: req.MaxTokens}))
		}
		res, err = d.opts.Ledger.Reserve(caller.Agent, caller.Tenant, quota.Amount{Tokens: int64(tokens), Money: price})
		if err != nil {
			return llm.Response{}, fmt.Errorf("generate for agent %q: %w", caller.Agent, err)
		}
	}
	resp, cost, err := d.run(ctx, caller, req, r, tokens, onChunk)
	if res != nil {
		if err != nil {
			res.Release()
		} else {
			res.Settle(quota.Amount{Tokens: int64(resp.Usage.InputTokens + resp.Usage.OutputTokens), Money: cost})
		}
	}
	return resp, err
}

func fitting(cores []*core, tokens int) []*core {
	var out []*core
	for _, c := range cores {
		if c.fits(tokens) {
			out = append(out, c)
		}
	}
	return out
}

// run tries the request until it succeeds, fails for good, or ctx ends. A try that fails after
// streaming some text is resumed as a continuation, so the caller never sees text twice.
func (d *Dispatcher) run(ctx context.Context, caller Caller, req llm.Request, r route, tokens int, onChunk func(llm.Chunk)) (llm.Response, quota.Cost, error) {
	var (
		avoid   *core
		partial strings.Builder // text streamed by earlier failed tries
		cost    quota.Cost
	)
	for attempt := 1; ; attempt++ {
		prior := partial.String()
		try, done := continuation(req, prior)
		if done {
			return llm.Response{Text: prior, FinishReason: "length", Model: req.Model}, cost, nil
		}
		w := &waiter{route: r, tokens: tokens, avoid: avoid, ready: make(chan struct{})}
		job := &sched.Job{Agent: caller.Agent, Tenant: caller.Tenant, Priority: caller.Priority, Estimate: tokens, Value: w}
		s, err := d.acquire(ctx, job)
		if err != nil {
			return llm.Response{}, 0, fmt.Errorf("generate: waiting for a core: %w", err)
		}
		try.Model = r.modelFor(s.c)
		resp, err := d.attempt(ctx, s, try, func(c llm.Chunk) {
			partial.WriteString(c.Text)
			if onChunk != nil {
				onChunk(c)
			}
		})
		d.finish(ctx, job, s, resp, err)
		if err == nil {
			cost += s.c.cost(resp.Usage)
			resp.Text = prior + resp.Text
			if resp.Core == "" {
				resp.Core = s.c.name
			}
			return resp, cost, nil
		}
		if ctx.Err() != nil {
			return llm.Response{}, 0, fmt.Errorf("generate on core %s: %w", s.c.name, ctx.Err())
		}
		retry, after := d.opts.Retryable(err)
		if !retry || attempt >= d.opts.MaxAttempts {
			return llm.Response{}, 0, fmt.Errorf("%w: core %s, attempt %d of %d: %w", ErrBackend, s.c.name, attempt, d.opts.MaxAttempts, err)
		}
		avoid = s.c
		if err := sleep(ctx, d.backoff(attempt, after)); err != nil {
			return llm.Response{}, 0, fmt.Errorf("generate: waiting to retry: %w", err)
		}
	}
}

// attempt runs one try on the slot's core. The slot is freed the moment ctx ends, without
// waiting for the core to notice; otherwise finish frees it.
func (d *Dispatcher) attempt(ctx context.Context, s *slot, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if d.opts.AttemptTimeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, d.opts.AttemptTimeout)
		defer cancel()
	}
	stop := context.AfterFunc(ctx, s.release)
	defer stop()
	start := d.opts.Now()
	resp, err := s.c.Core.Generate(ctx, req, onChunk)
	if err == nil {
		d.mu.Lock()
		s.c.observeLatency(d.opts.Now().Sub(start))
		d.mu.Unlock()
	}
	return resp, err
}

// finish records an attempt's outcome: the scheduler's service, the core's health and its
// token window.
func (d *Dispatcher) finish(ctx context.Context, job *sched.Job, s *slot, resp llm.Response, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	used := resp.Usage.InputTokens + resp.Usage.OutputTokens
	c := s.c
	switch {
	case err == nil:
		c.failures = 0
		if s.tpm != nil {
			c.tpm.correct(s.tpm, used)
		}
	case ctx.Err() != nil:
		// The caller gave up; the core is not to blame.
	default:
		retry, after := d.opts.Retryable(err)
		if !retry {
			break
		}
		now := d.opts.Now()
		if after > 0 {
			// The backend asked for a pause (Retry-After): honour it; it is not a failure.
			c.coolUntil = maxTime(c.coolUntil, now.Add(after))
			break
		}
		c.failures++
		if c.failures >= d.opts.FailureThreshold {
			c.failures = 0
			c.coolUntil = now.Add(d.opts.Cooldown)
		}
	}
	d.q.Done(job, used)
	s.releaseLocked()
	d.schedule()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// continuation returns req asking the core to carry on after partial, the text an interrupted
// try already produced, with max_tokens lowered by a generous count of partial's tokens so the
// whole stays within the original budget. done is true when nothing of that budget is left.
func continuation(req llm.Request, partial string) (next llm.Request, done bool) {
	if partial == "" {
		return req, false
	}
	left := req.MaxTokens - (len(partial)/3 + 1)
	if left <= 0 {
		return req, true
	}
	req.MaxTokens = left
	req.Messages = append(req.Messages[:len(req.Messages):len(req.Messages)], llm.Message{Role: "assistant", Content: partial})
	return req, false
}
