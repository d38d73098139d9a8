package aios

import (
	"context"
	"errors"
)

// Call is an LLM generation running asynchronously on the host, started by Submit or Stream.
// Finish it with Wait, or with Poll until it reports done: either releases the host's handle.
//
// A Call is not safe for concurrent use by several goroutines.
type Call struct {
	abi    *abi
	handle uint32
	stream bool // submitted with "stream": true; unread chunks are skipped while waiting

	done bool // the handle is released; resp and err hold the outcome
	resp Response
	err  error
}

// Submit starts a generation and returns at once. An agent may keep several calls in flight, up
// to its calls-in-flight limit (past it, the error matches ErrLimit).
func Submit(req Request) (*Call, error) { return std.submit(req, false) }

func (a *abi) submit(req Request, stream bool) (*Call, error) {
	if what := req.uses11(); what != "" {
		if err := a.require(1, "submit", what); err != nil {
			return nil, err
		}
	}
	body, err := req.encode("submit", stream)
	if err != nil {
		return nil, err
	}
	name := []byte("llm_generate")
	c := &Call{abi: a, stream: stream}
	err = a.do("submit", func(s syscalls) Errno { return s.submit(name, body, &c.handle) })
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Poll reports whether the call has finished, and if so its outcome. It does not block. Once
// done is true, the handle is released and every later Poll or Wait returns the same outcome.
func (c *Call) Poll() (resp Response, done bool, err error) {
	if c.done {
		return c.resp, true, c.err
	}
	b, err := c.abi.doResult("poll", func(s syscalls, out *resultBuf) Errno { return s.poll(c.handle, out) }, ErrAgain)
	if err == ErrAgain {
		return Response{}, false, nil
	}
	c.done = true
	if err == nil {
		err = decodeBody("llm_generate", b, &c.resp)
	}
	c.err = err
	return c.resp, true, c.err
}

// Wait blocks until the call has finished and returns its outcome.
func (c *Call) Wait() (Response, error) { return c.await(context.Background()) }

// Cancel asks the host to stop the call. The call still has to be finished with Wait or Poll,
// which then report ErrCanceled, or the result if it had already finished. Cancelling a finished
// call does nothing.
func (c *Call) Cancel() error {
	if c.done {
		return nil
	}
	return c.abi.do("cancel", func(s syscalls) Errno { return s.cancel(c.handle) })
}

// await waits for the call to finish, at most until ctx's deadline. If ctx ends first, the call
// is cancelled and released, and the error matches ctx.Err().
//
// # Notes
//
// A guest is single-threaded and blocked while the host waits, so only a deadline can end a
// wait early; a cancellation without a deadline is seen before and after each wait.
func (c *Call) await(ctx context.Context) (Response, error) {
	for {
		resp, done, err := c.Poll()
		if done {
			return resp, err
		}
		if err := c.step(ctx); err != nil {
			c.abandon()
			return Response{}, err
		}
	}
}

// step blocks until the call may have finished, within ctx's deadline. For a stream it reads
// and discards one chunk, since a pending chunk would otherwise end every wait at once.
func (c *Call) step(ctx context.Context) error {
	if err := c.ready(ctx); err != nil {
		return err
	}
	if !c.stream {
		return nil
	}
	if _, err := c.nextChunk(); err != nil && !errors.Is(err, ErrEOF) {
		return err
	}
	return nil
}

// abandon cancels the call and releases its handle, discarding the outcome.
func (c *Call) abandon() {
	if c.Cancel() != nil {
		return
	}
	for !c.done {
		if _, _, err := c.Poll(); err != nil {
			return
		}
		if err := c.step(context.Background()); err != nil {
			return
		}
	}
}
