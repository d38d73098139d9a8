package aios

import (
	"context"
	"encoding/json"
	"fmt"
)

// Pending is a call of ABI 1.2 running asynchronously on the host, started by a Start function
// such as Memory.StartSearch, StartToolCall or Storage.StartGet. Finish it with Wait, or with
// Poll until it reports done: either releases the host's handle. WaitAny waits for several.
//
// A Pending is not safe for concurrent use by several goroutines.
type Pending[T any] struct {
	op
	conv func([]byte) (T, error)
	val  T
}

// Poll reports whether the call has finished, and if so its outcome. It does not block. Once
// done is true, the handle is released and every later Poll or Wait returns the same outcome.
func (p *Pending[T]) Poll() (v T, done bool, err error) {
	if !p.poll(p.decode) {
		return v, false, nil
	}
	return p.val, true, p.err
}

// Wait blocks until the call has finished and returns its outcome.
func (p *Pending[T]) Wait() (T, error) { return p.await(context.Background()) }

// Cancel asks the host to stop the call. The call still has to be finished with Wait or Poll,
// which then report ErrCanceled, or the result if it had already finished.
func (p *Pending[T]) Cancel() error { return p.cancel() }

func (p *Pending[T]) await(ctx context.Context) (T, error) {
	if err := p.finish(ctx, p.decode); err != nil {
		var zero T
		return zero, err
	}
	return p.val, nil
}

func (p *Pending[T]) decode(b []byte) error {
	v, err := p.conv(b)
	p.val = v
	return err
}

// async returns the call's handle, for WaitAny.
func (p *Pending[T]) async() *op {
	if p == nil {
		return nil
	}
	return &p.op
}

// request is one call of ABI 1.2 (docs/ABI.md, section 4.1), ready to run blocking or to start
// asynchronously.
type request[T any] struct {
	name   string // the call, such as "memory_search"
	what   string // what needs ABI 1.2, for the ErrNotSupported of an older host
	body   any    // the request body, marshalled to JSON
	decode func([]byte) (T, error)
}

// field returns a decoder for call's result body: it unmarshals the body as W and returns the
// part pick chooses, such as the hits out of {"hits": [...]}.
func field[W, T any](call string, pick func(W) T) func([]byte) (T, error) {
	return func(b []byte) (T, error) {
		var w W
		if err := decodeBody(call, b, &w); err != nil {
			var zero T
			return zero, err
		}
		return pick(w), nil
	}
}

// whole returns a decoder for call's result body that unmarshals it as T.
func whole[T any](call string) func([]byte) (T, error) {
	return field(call, func(v T) T { return v })
}

// encode checks that the host implements ABI 1.2 and returns the request's JSON body.
func (r request[T]) encode(a *abi) ([]byte, error) {
	if err := a.require(2, r.name, r.what); err != nil {
		return nil, err
	}
	b, err := json.Marshal(r.body)
	if err != nil {
		return nil, &Error{Code: ErrInvalid, Call: r.name, Message: "encode request: " + err.Error()}
	}
	return b, nil
}

// run makes the call and returns its result. Without a deadline on ctx it makes one blocking
// system call. With a deadline it submits the call and waits at most until the deadline, then
// cancels the call; the error then matches both ErrTimeout and context.DeadlineExceeded.
func (r request[T]) run(ctx context.Context, a *abi) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("aios: %s: %w", r.name, err)
	}
	if _, ok := ctx.Deadline(); ok {
		p, err := r.start(a)
		if err != nil {
			return zero, err
		}
		return p.await(ctx)
	}
	body, err := r.encode(a)
	if err != nil {
		return zero, err
	}
	b, err := a.doResult(r.name, func(s syscalls, out *resultBuf) Errno { return s.call(r.name, body, out) })
	if err != nil {
		return zero, err
	}
	return r.decode(b)
}

// start submits the call and returns at once.
func (r request[T]) start(a *abi) (*Pending[T], error) {
	body, err := r.encode(a)
	if err != nil {
		return nil, err
	}
	p := &Pending[T]{conv: r.decode}
	if err := a.start(&p.op, r.name, body, false); err != nil {
		return nil, err
	}
	return p, nil
}
