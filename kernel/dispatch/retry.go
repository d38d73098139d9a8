package dispatch

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"time"
)

// RetryFunc decides whether a failed request may be tried again and how long the backend
// asked to wait first (zero if it did not say).
type RetryFunc func(err error) (retry bool, after time.Duration)

// StatusError is a backend's HTTP error. Cores need not use it: any error with an
// HTTPStatus() int method (and optionally RetryAfter() time.Duration) is read the same way.
type StatusError struct {
	Code  int
	After time.Duration // from a Retry-After header; zero if none
	Err   error
}

func (e *StatusError) Error() string {
	msg := "HTTP " + strconv.Itoa(e.Code)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *StatusError) Unwrap() error             { return e.Err }
func (e *StatusError) HTTPStatus() int           { return e.Code }
func (e *StatusError) RetryAfter() time.Duration { return e.After }

// Retryable is the default RetryFunc: HTTP 408, 429 and 5xx, timeouts, network errors and a
// stream cut short (io.ErrUnexpectedEOF) are retryable; other errors are the request's fault.
func Retryable(err error) (bool, time.Duration) {
	var after time.Duration
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		after = ra.RetryAfter()
	}
	var hs interface{ HTTPStatus() int }
	if errors.As(err, &hs) {
		s := hs.HTTPStatus()
		return s == 408 || s == 429 || s >= 500, after
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &ne):
		return true, after
	}
	return false, 0
}

// backoff returns the wait before attempt n+1 (n ≥ 1): full jitter over an exponential bound,
// never less than what the backend asked for.
func (d *Dispatcher) backoff(n int, asked time.Duration) time.Duration {
	bound := d.opts.MaxBackoff
	if n < 30 {
		bound = min(bound, d.opts.Backoff<<(n-1))
	}
	wait := time.Duration(rand.Int64N(int64(bound) + 1))
	return max(wait, asked)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
