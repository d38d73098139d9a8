package aios

import (
	"context"
	"fmt"
	"time"
)

// Waiter is a call running asynchronously on the host: a *Call or a *Pending.
type Waiter interface {
	async() *op
}

// WaitAny blocks until one of calls has finished (or, for a stream, has a chunk ready) and
// returns its index. It does not finish the call: use that call's Wait or Poll for the outcome.
// A call that has already finished is reported at once.
//
// Calls of one type are passed as they are (WaitAny(calls...) with a []*Call); calls of
// different types are passed as Waiter values, naming the type:
//
//	i, err := aios.WaitAny[aios.Waiter](generation, search)
func WaitAny[W Waiter](calls ...W) (int, error) {
	if len(calls) == 0 {
		return 0, &Error{Code: ErrInvalid, Call: "wait", Message: "no calls to wait for"}
	}
	handles := make([]uint32, len(calls))
	var a *abi
	for i, c := range calls {
		var o *op
		if any(c) != nil {
			o = c.async()
		}
		if o == nil {
			return 0, &Error{Code: ErrInvalid, Call: "wait", Message: fmt.Sprintf("call %d is nil", i)}
		}
		if o.done {
			return i, nil
		}
		handles[i] = o.handle
		a = o.abi
	}
	return a.wait(handles, -1)
}

// wait runs the ABI's wait over handles with a timeout in nanoseconds (negative: none).
func (a *abi) wait(handles []uint32, timeoutNs int64) (int, error) {
	var index uint32
	if err := a.do("wait", func(s syscalls) Errno { return s.wait(handles, timeoutNs, &index) }, ErrTimeout); err != nil {
		return 0, err
	}
	if int(index) >= len(handles) {
		return 0, &Error{Code: ErrInternal, Call: "wait", Message: fmt.Sprintf("host returned index %d of %d handles", index, len(handles))}
	}
	return int(index), nil
}

// ready blocks until the call has finished or has a stream chunk ready, or ctx's deadline
// passes. It returns ctx's error, or a deadlineError when the deadline passed during the wait.
func (o *op) ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("aios: wait: %w", err)
	}
	timeout := int64(-1)
	if deadline, ok := ctx.Deadline(); ok {
		timeout = max(int64(time.Until(deadline)), 0)
	}
	_, err := o.abi.wait([]uint32{o.handle}, timeout)
	if err == ErrTimeout {
		return deadlineError{}
	}
	return err
}

// deadlineError reports that a context's deadline passed while the agent waited for a call.
type deadlineError struct{}

func (deadlineError) Error() string { return "aios: wait: context deadline exceeded (ETIMEDOUT)" }

// Unwrap makes the error match both ErrTimeout and context.DeadlineExceeded.
func (deadlineError) Unwrap() []error { return []error{ErrTimeout, context.DeadlineExceeded} }
