package aios

import "context"

// Call is an LLM generation running asynchronously on the host, started by Submit or Stream.
// Finish it with Wait, or with Poll until it reports done: either releases the host's handle.
//
// A Call is not safe for concurrent use by several goroutines.
type Call struct {
	op
	resp Response
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
	c := &Call{}
	if err := a.start(&c.op, "llm_generate", body, stream); err != nil {
		return nil, err
	}
	return c, nil
}

// Poll reports whether the call has finished, and if so its outcome. It does not block. Once
// done is true, the handle is released and every later Poll or Wait returns the same outcome.
func (c *Call) Poll() (resp Response, done bool, err error) {
	if !c.poll(c.decode) {
		return Response{}, false, nil
	}
	return c.resp, true, c.err
}

// Wait blocks until the call has finished and returns its outcome.
func (c *Call) Wait() (Response, error) { return c.await(context.Background()) }

// Cancel asks the host to stop the call. The call still has to be finished with Wait or Poll,
// which then report ErrCanceled, or the result if it had already finished. Cancelling a finished
// call does nothing.
func (c *Call) Cancel() error { return c.cancel() }

// await waits for the call to finish, at most until ctx's deadline; see op.finish.
func (c *Call) await(ctx context.Context) (Response, error) {
	if err := c.finish(ctx, c.decode); err != nil {
		return Response{}, err
	}
	return c.resp, nil
}

func (c *Call) decode(b []byte) error { return decodeBody("llm_generate", b, &c.resp) }

// async returns the call's handle, for WaitAny.
func (c *Call) async() *op {
	if c == nil {
		return nil
	}
	return &c.op
}
