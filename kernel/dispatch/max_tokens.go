package dispatch

import (
	"context"
	"fmt"
	"sync"

	"github.com/aiosys/aios/kernel/llm"
)

// fitContext chooses a request's max_tokens against the context windows of the models its
// route may run on (llm.Windowed; zero where unknown) and keeps the cores that can hold it.
//
// A request that sets max_tokens keeps it; cores whose window is smaller are left out, and if
// that leaves none the request is malformed (llm.ErrBadRequest), since no retry can help. A
// request that sets none gets the default, lowered to what every remaining core's window holds
// after the estimated prompt, and at least 1; cores whose window the prompt alone fills are left
// out while others remain. What is chosen is also what quotas and rate limits reserve.
func (d *Dispatcher) fitContext(ctx context.Context, r route, asked, input int) (route, int, error) {
	ws := d.windows(ctx, r)
	if asked > 0 {
		largest := 0
		for _, w := range ws {
			largest = max(largest, w)
		}
		keep := keepCores(r.cores, func(i int) bool { return ws[i] == 0 || asked <= ws[i] })
		if len(keep) == 0 {
			return r, 0, fmt.Errorf("%w: max_tokens %d exceeds the model's context window of %d tokens (prompt and output together); ask for fewer",
				llm.ErrBadRequest, asked, largest)
		}
		r.cores = keep
		return r, asked, nil
	}
	var keep []*core
	var kept []int
	for i, c := range r.cores {
		if ws[i] == 0 || ws[i] > input {
			keep, kept = append(keep, c), append(kept, ws[i])
		}
	}
	if len(keep) == 0 {
		// The prompt estimate errs high: let the backend judge the prompt, with one token to spare.
		return r, 1, nil
	}
	n := d.opts.DefaultMaxTokens
	for _, w := range kept {
		if w > 0 {
			n = min(n, w-input)
		}
	}
	r.cores = keep
	return r, max(n, 1), nil
}

// windows looks up the context window of each of r's cores for the model it would be asked,
// concurrently: a first lookup asks the backend, within a bounded time. A route of one core, the
// common case on every generation, is looked up inline, without a goroutine.
func (d *Dispatcher) windows(ctx context.Context, r route) []int {
	ws := make([]int, len(r.cores))
	if len(r.cores) == 1 {
		ws[0] = llm.ContextWindow(ctx, r.cores[0].Core, r.modelFor(r.cores[0]))
		return ws
	}
	var wg sync.WaitGroup
	for i, c := range r.cores {
		if _, ok := c.Core.(llm.Windowed); !ok {
			continue
		}
		wg.Go(func() { ws[i] = llm.ContextWindow(ctx, c.Core, r.modelFor(c)) })
	}
	wg.Wait()
	return ws
}
