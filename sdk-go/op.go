package aios

import (
	"context"
	"errors"
)

// op is one system call started with submit: its handle and, once finished, its outcome. Call
// (a generation) and Pending (any call of ABI 1.2) each decode the result into their own type.
type op struct {
	abi    *abi
	name   string // the call submitted, such as "llm_generate"
	handle uint32
	stream bool // submitted with "stream": true; unread chunks are skipped while waiting

	done bool // the handle is released; err holds the outcome
	err  error
}

// start submits call name with body and fills o with its handle.
func (a *abi) start(o *op, name string, body []byte, stream bool) error {
	*o = op{abi: a, name: name, stream: stream}
	call := []byte(name)
	return a.do("submit", func(s syscalls) Errno { return s.submit(call, body, &o.handle) })
}

// poll reports whether the call has finished, without blocking. The first time it finds the
// call finished it releases the handle and decodes a successful result with decode; err then
// holds the outcome for good.
func (o *op) poll(decode func([]byte) error) bool {
	if o.done {
		return true
	}
	b, err := o.abi.doResult("poll", func(s syscalls, out *resultBuf) Errno { return s.poll(o.handle, out) }, ErrAgain)
	if err == ErrAgain {
		return false
	}
	o.done = true
	if err == nil {
		err = decode(b)
	}
	o.err = err
	return true
}

// cancel asks the host to stop the call; it does nothing once the call is finished.
func (o *op) cancel() error {
	if o.done {
		return nil
	}
	return o.abi.do("cancel", func(s syscalls) Errno { return s.cancel(o.handle) })
}

// finish waits for the call to finish, at most until ctx's deadline, and returns its outcome.
// If ctx ends first, the call is cancelled and released, and the error matches ctx.Err().
//
// # Notes
//
// A guest is single-threaded and blocked while the host waits, so only a deadline can end a
// wait early; a cancellation without a deadline is seen before and after each wait.
func (o *op) finish(ctx context.Context, decode func([]byte) error) error {
	for !o.poll(decode) {
		if err := o.step(ctx); err != nil {
			o.abandon(decode)
			return err
		}
	}
	return o.err
}

// step blocks until the call may have finished, within ctx's deadline. For a stream it reads
// and discards one chunk, since a pending chunk would otherwise end every wait at once.
func (o *op) step(ctx context.Context) error {
	if err := o.ready(ctx); err != nil {
		return err
	}
	if !o.stream {
		return nil
	}
	if _, err := o.nextChunk(); err != nil && !errors.Is(err, ErrEOF) {
		return err
	}
	return nil
}

// abandon cancels the call and releases its handle.
func (o *op) abandon(decode func([]byte) error) {
	if o.cancel() != nil {
		return
	}
	for !o.poll(decode) {
		if err := o.step(context.Background()); err != nil {
			return
		}
	}
}
