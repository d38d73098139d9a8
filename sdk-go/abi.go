package aios

import (
	"encoding/json"
	"fmt"
	"sync"
)

// abi is this agent's connection to the host: the system calls, the one-time version handshake,
// and the lock that keeps a failed call and its last_error together.
type abi struct {
	sys syscalls

	once       sync.Once
	versionErr error
	minor      uint32 // the ABI minor version the host agreed to: 4, 3, 2, 1, or 0 for a 1.0 host

	// mu is held from a system call until its failure, if any, has been read with last_error,
	// so another goroutine's call cannot replace the error in between.
	mu sync.Mutex

	msg   msgBytesSyscalls // the message calls of ABI 1.4, when the host agreed to 1.4
	inbox []byte           // the buffer messages are received into (msg_recv_bytes); guarded by mu
}

// std is the host every exported function of this package uses.
var std = newABI(platform())

func newABI(sys syscalls) *abi { return &abi{sys: sys} }

// ready performs the version handshake once and reports its outcome on every call. It asks
// for ABI 1.4 and, from a host that refuses, for 1.3, 1.2, 1.1 and then 1.0: the calls and fields
// of the version agreed then work and those of newer ones fail with ErrNotSupported (see
// require).
func (a *abi) ready() error {
	if a.sys == nil {
		return ErrNotInAIOS
	}
	a.once.Do(func() {
		for _, minor := range []uint32{4, 3, 2, 1} {
			if a.sys.abiVersion(1, minor) == 0 {
				a.minor = minor
				if minor >= 4 {
					a.msg, _ = a.sys.(msgBytesSyscalls)
				}
				return
			}
		}
		if e := a.sys.abiVersion(1, 0); e != 0 {
			a.versionErr = &Error{Code: e, Call: "abi_version", Message: "the host does not implement aios ABI 1.0"}
		}
	})
	return a.versionErr
}

// require fails with ErrNotSupported, naming what needs it, unless the host implements ABI
// 1.minor.
func (a *abi) require(minor uint32, call, what string) error {
	if err := a.ready(); err != nil {
		return err
	}
	if a.minor < minor {
		return &Error{Code: ErrNotSupported, Name: ErrNotSupported.String(), Call: call,
			Message: fmt.Sprintf("%s needs aios ABI 1.%d; the host implements 1.%d", what, minor, a.minor)}
	}
	return nil
}

// do runs one system call named name. A failure is returned as an *Error built from last_error,
// except for the codes in expected, which are returned as the bare Errno: they are outcomes the
// caller handles (EAGAIN from poll, EEOF from stream_next), not failures to explain.
func (a *abi) do(name string, call func(syscalls) Errno, expected ...Errno) error {
	if err := a.ready(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	e := call(a.sys)
	if e == 0 {
		return nil
	}
	for _, x := range expected {
		if e == x {
			return e
		}
	}
	return a.describe(name, e)
}

// doResult runs a system call that produces a result and returns the result's bytes.
func (a *abi) doResult(name string, call func(syscalls, *resultBuf) Errno, expected ...Errno) ([]byte, error) {
	var out resultBuf
	if err := a.do(name, func(s syscalls) Errno { return call(s, &out) }, expected...); err != nil {
		return nil, err
	}
	return a.read(name, out.decode())
}

// read copies result r out of the host with result_read, which releases it. If the copy fails
// the result is dropped, so a failure never leaks one of the agent's 64 result slots.
func (a *abi) read(name string, r result) ([]byte, error) {
	buf := make([]byte, r.len)
	err := a.do("result_read", func(s syscalls) Errno { return s.resultRead(r.rid, buf) })
	if err != nil {
		a.mu.Lock()
		a.sys.resultDrop(r.rid)
		a.mu.Unlock()
		return nil, fmt.Errorf("%s: read result: %w", name, err)
	}
	return buf, nil
}

// describe returns the *Error for errno e of call name, filled from last_error when the host
// has a matching record. Callers hold a.mu.
func (a *abi) describe(name string, e Errno) error {
	err := &Error{Code: e, Name: e.String(), Call: name}
	var out resultBuf
	if a.sys.lastError(&out) != 0 {
		return err
	}
	r := out.decode()
	buf := make([]byte, r.len)
	if a.sys.resultRead(r.rid, buf) != 0 {
		a.sys.resultDrop(r.rid)
		return err
	}
	var rec Error
	if json.Unmarshal(buf, &rec) != nil || rec.Code != e {
		return err
	}
	if rec.Name != "" {
		err.Name = rec.Name
	}
	if rec.Call != "" {
		err.Call = rec.Call
	}
	err.Message = rec.Message
	return err
}
