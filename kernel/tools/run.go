package tools

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Run runs a call Prepare returned, for caller (the agent, e.g. tenant+"/"+name: the key of
// its rate limit), under the tool's policy: it waits for the caller's rate if that fits in the
// call's timeout (otherwise ErrRateLimited), bounds the call by the timeout and its output by
// the output cap.
//
// A source's failure is ErrUnavailable; the package's errors and the context's (a timeout is
// context.DeadlineExceeded) are returned as they are, wrapped with the tool's name.
func (m *Manager) Run(ctx context.Context, caller string, c Call) (Result, error) {
	e := c.entry
	if e == nil {
		return Result{}, fmt.Errorf("%w: %q (a call must come from Prepare)", ErrUnknownTool, bound(c.Info.Name))
	}
	name := e.info.Name
	ctx, cancel := context.WithTimeout(ctx, e.policy.Timeout)
	defer cancel()
	if e.policy.Rate.limited() {
		if err := m.limiters.wait(ctx, limiterKey{tool: name, caller: caller}, e.policy.Rate); err != nil {
			return Result{}, fmt.Errorf("tool %q: %w", name, err)
		}
	}
	limit := e.policy.MaxOutput
	res, err := e.src.Call(WithCaller(ctx, caller), e.info.Name, c.Args, limit)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		if !isPackageError(err) {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return Result{}, fmt.Errorf("tool %q: timed out after %s: %w", name, e.policy.Timeout, err)
		}
		return Result{}, fmt.Errorf("tool %q: %w", name, err)
	}
	// The source promised to keep within limit; a source that does not is cut here.
	if int64(len(res.Content)) > limit {
		res.Bytes = max(res.Bytes, int64(len(res.Content)))
		res.Content, res.Truncated = res.Content[:limit], true
	}
	res.Bytes = max(res.Bytes, int64(len(res.Content)))
	return res, nil
}

func isPackageError(err error) bool {
	for _, target := range []error{ErrUnknownTool, ErrInvalidArgs, ErrRateLimited, ErrUnavailable, ErrRefused, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// limiters holds a token bucket per caller and tool.
type limiters struct {
	mu sync.Mutex
	m  map[limiterKey]*rate.Limiter
}

type limiterKey struct{ tool, caller string }

// pruneAt is how many buckets are kept before full ones (as good as new) are dropped.
const pruneAt = 4096

func (l *limiters) get(k limiterKey, r Rate) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim, ok := l.m[k]; ok {
		return lim
	}
	if l.m == nil {
		l.m = map[limiterKey]*rate.Limiter{}
	}
	if len(l.m) >= pruneAt {
		now := time.Now()
		for key, lim := range l.m {
			if lim.TokensAt(now) >= float64(lim.Burst()) {
				delete(l.m, key)
			}
		}
	}
	lim := r.limiter()
	l.m[k] = lim
	return lim
}

// wait takes one call from k's bucket, waiting for it if it comes before ctx's deadline.
func (l *limiters) wait(ctx context.Context, k limiterKey, r Rate) error {
	res := l.get(k, r).Reserve()
	delay := res.Delay()
	if delay == 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
		res.Cancel()
		return fmt.Errorf("%w: caller %q may make %d calls per %s", ErrRateLimited, bound(k.caller), r.Calls, r.Per)
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		res.Cancel()
		return ctx.Err()
	}
}
