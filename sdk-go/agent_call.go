package aios

import "encoding/json"

// agentSyscalls are the agent calls of ABI 1.3 (docs/ABI.md 4.2), all (req_ptr, req_len,
// out), by name. A platform that has them implements it beside syscalls; only a module that
// uses them imports them, so a module that does not still loads on a 1.2 host. Without them
// the calls go through submit.
type agentSyscalls interface {
	agentCall(name string, req []byte, out *resultBuf) Errno
}

// agentRequest is one agent call: its name, body (or its JSON already encoded, raw) and how to
// decode its result.
type agentRequest[T any] struct {
	name   string
	body   any
	raw    []byte
	decode func([]byte) (T, error)
}

func (r agentRequest[T]) encode(a *abi) ([]byte, error) {
	if err := a.require(3, r.name, "agents and messages"); err != nil {
		return nil, err
	}
	if r.raw != nil {
		return r.raw, nil
	}
	b, err := json.Marshal(r.body)
	if err != nil {
		return nil, &Error{Code: ErrInvalid, Call: r.name, Message: "encode request: " + err.Error()}
	}
	return b, nil
}

// run makes the call blocking and returns its result.
func (r agentRequest[T]) run(a *abi) (T, error) {
	var zero T
	body, err := r.encode(a)
	if err != nil {
		return zero, err
	}
	direct, ok := a.sys.(agentSyscalls)
	if !ok {
		p, err := r.startEncoded(a, body)
		if err != nil {
			return zero, err
		}
		return p.Wait()
	}
	b, err := a.doResult(r.name, func(_ syscalls, out *resultBuf) Errno { return direct.agentCall(r.name, body, out) })
	if err != nil {
		return zero, err
	}
	return r.decode(b)
}

// start submits the call and returns at once.
func (r agentRequest[T]) start(a *abi) (*Pending[T], error) {
	body, err := r.encode(a)
	if err != nil {
		return nil, err
	}
	return r.startEncoded(a, body)
}

func (r agentRequest[T]) startEncoded(a *abi, body []byte) (*Pending[T], error) {
	p := &Pending[T]{conv: r.decode}
	if err := a.start(&p.op, r.name, body, false); err != nil {
		return nil, err
	}
	return p, nil
}
