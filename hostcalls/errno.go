package hostcalls

import (
	"context"
	"errors"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/kernel/storage"
	"github.com/aiosys/aios/kernel/tools"
)

// Errno is an error code of the aios namespace (docs/ABI.md section 3). Codes are stable: a code,
// once assigned, never changes meaning.
type Errno uint32

// The ABI v1 error codes.
const (
	OK        Errno = iota // success
	EINVAL                 // malformed request body, bad argument value
	EFAULT                 // a pointer range outside the agent's memory
	E2BIG                  // a request or response larger than the agent's limit
	ENOSYS                 // unknown call name (in submit)
	ENOTSUP                // ABI version not supported
	EAGAIN                 // not ready yet (poll)
	ETIMEDOUT              // a deadline passed
	ECANCELED              // the call was cancelled
	EBADF                  // unknown result id or handle
	EPERM                  // denied by policy
	EQUOTA                 // a token or money budget is exhausted
	ELIMIT                 // a per-agent limit was reached
	EBACKEND               // the LLM backend failed (after retries)
	EEOF                   // a stream has no more chunks
	ERANGE                 // a buffer is too small (result_read)
	ENOENT                 // nothing to report, unknown model
	EINTERNAL              // a host fault; the host logged it
)

var errnoNames = [...]string{
	OK: "OK", EINVAL: "EINVAL", EFAULT: "EFAULT", E2BIG: "E2BIG", ENOSYS: "ENOSYS",
	ENOTSUP: "ENOTSUP", EAGAIN: "EAGAIN", ETIMEDOUT: "ETIMEDOUT", ECANCELED: "ECANCELED",
	EBADF: "EBADF", EPERM: "EPERM", EQUOTA: "EQUOTA", ELIMIT: "ELIMIT", EBACKEND: "EBACKEND",
	EEOF: "EEOF", ERANGE: "ERANGE", ENOENT: "ENOENT", EINTERNAL: "EINTERNAL",
}

// String returns the code's ABI name, such as "EFAULT", or "E<n>" for a code this host does
// not know.
func (e Errno) String() string {
	if int(e) < len(errnoNames) {
		return errnoNames[e]
	}
	return "E" + itoa(int(e))
}

// CallError is a failed aios call: its code and a message for last_error. Err, when set, is the
// cause.
type CallError struct {
	Code Errno
	Msg  string
	Err  error
}

func (e *CallError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *CallError) Unwrap() error { return e.Err }

// fail returns a *CallError with code and message.
func fail(code Errno, msg string) error { return &CallError{Code: code, Msg: msg} }

// failWrap returns a *CallError with code, message and cause.
func failWrap(code Errno, msg string, err error) error {
	return &CallError{Code: code, Msg: msg, Err: err}
}

// ErrnoOf maps an error of a call to its ABI code: nil is OK; a *CallError carries its own code;
// cancellation is ECANCELED, a passed deadline ETIMEDOUT, kernel.ErrInvalid EINVAL,
// llm.ErrNoModel ENOENT, kernel.ErrOutputLimit ELIMIT, kernel.ErrDenied (a policy denial, whose
// reason is the message) EPERM. The errors of the memory, storage and tool managers map as
// docs/ABI.md 5.5 says: not found ENOENT, invalid EINVAL, quota EQUOTA, a tool's rate ELIMIT, a
// refused address EPERM, a manager the host lacks ENOSYS. Anything else is a backend failure
// (EBACKEND).
func ErrnoOf(err error) Errno {
	if err == nil {
		return OK
	}
	var ce *CallError
	switch {
	case errors.As(err, &ce):
		return ce.Code
	case errors.Is(err, context.Canceled):
		return ECANCELED
	case errors.Is(err, context.DeadlineExceeded):
		return ETIMEDOUT
	case errors.Is(err, kernel.ErrInvalid):
		return EINVAL
	case errors.Is(err, llm.ErrNoModel):
		return ENOENT
	case errors.Is(err, kernel.ErrOutputLimit):
		return ELIMIT
	case errors.Is(err, quota.ErrExhausted):
		return EQUOTA
	case errors.Is(err, llm.ErrBadRequest):
		return EINVAL
	case errors.Is(err, kernel.ErrDenied), errors.Is(err, tools.ErrRefused):
		return EPERM
	case errors.Is(err, kernel.ErrNoManager):
		return ENOSYS
	case errors.Is(err, memory.ErrNotFound), errors.Is(err, storage.ErrNotFound), errors.Is(err, tools.ErrUnknownTool),
		errors.Is(err, memory.ErrNoEmbedder), errors.Is(err, llm.ErrNoEmbedder):
		return ENOENT
	case errors.Is(err, memory.ErrInvalid), errors.Is(err, storage.ErrInvalid), errors.Is(err, tools.ErrInvalidArgs):
		return EINVAL
	case errors.Is(err, memory.ErrQuota), errors.Is(err, storage.ErrQuota):
		return EQUOTA
	case errors.Is(err, tools.ErrRateLimited), errors.Is(err, kernel.ErrAgentLimit):
		return ELIMIT
	case errors.Is(err, kernel.ErrNoAgent):
		return ENOENT
	case errors.Is(err, kernel.ErrStillRunning), errors.Is(err, kernel.ErrNoMessage), errors.Is(err, kernel.ErrMailboxFull):
		return EAGAIN
	case errors.Is(err, kernel.ErrMessageSize):
		return E2BIG
	default:
		return EBACKEND
	}
}
