package aios

import "strconv"

// Errno is an error code of the aios ABI (docs/ABI.md, section 3). Each code is also a sentinel
// error: errors.Is(err, aios.ErrPermission) reports whether err, or the *Error it wraps, carries
// that code.
//
// # Notes
//
// Codes are stable across ABI versions; a newer host may return a code this package does not
// name, which is still a failure and still compares with errors.Is by value.
type Errno uint32

// The codes of ABI v1.0, in table order.
const (
	ErrInvalid      Errno = 1  // EINVAL: malformed request body or bad argument value
	ErrFault        Errno = 2  // EFAULT: a pointer range outside the agent's memory
	ErrTooBig       Errno = 3  // E2BIG: a request or response larger than the agent's limit
	ErrNoSys        Errno = 4  // ENOSYS: unknown call name
	ErrNotSupported Errno = 5  // ENOTSUP: ABI version not supported
	ErrAgain        Errno = 6  // EAGAIN: not ready yet
	ErrTimeout      Errno = 7  // ETIMEDOUT: a deadline passed
	ErrCanceled     Errno = 8  // ECANCELED: the call was cancelled
	ErrBadHandle    Errno = 9  // EBADF: unknown result id or handle
	ErrPermission   Errno = 10 // EPERM: denied by policy
	ErrQuota        Errno = 11 // EQUOTA: a token or money budget is exhausted
	ErrLimit        Errno = 12 // ELIMIT: a per-agent limit was reached
	ErrBackend      Errno = 13 // EBACKEND: the LLM backend failed after retries
	ErrEOF          Errno = 14 // EEOF: a stream has no more chunks
	ErrRange        Errno = 15 // ERANGE: a buffer is too small
	ErrNotFound     Errno = 16 // ENOENT: nothing to report, or an unknown model
	ErrInternal     Errno = 17 // EINTERNAL: a host fault
)

type errnoInfo struct{ name, meaning string }

var errnos = [...]errnoInfo{
	0:               {"OK", "success"},
	ErrInvalid:      {"EINVAL", "malformed request or bad argument"},
	ErrFault:        {"EFAULT", "pointer range outside the agent's memory"},
	ErrTooBig:       {"E2BIG", "request or response larger than the agent's limit"},
	ErrNoSys:        {"ENOSYS", "unknown call"},
	ErrNotSupported: {"ENOTSUP", "ABI version not supported"},
	ErrAgain:        {"EAGAIN", "not ready yet"},
	ErrTimeout:      {"ETIMEDOUT", "deadline passed"},
	ErrCanceled:     {"ECANCELED", "call cancelled"},
	ErrBadHandle:    {"EBADF", "unknown result id or handle"},
	ErrPermission:   {"EPERM", "denied by policy"},
	ErrQuota:        {"EQUOTA", "budget exhausted"},
	ErrLimit:        {"ELIMIT", "per-agent limit reached"},
	ErrBackend:      {"EBACKEND", "LLM backend failed"},
	ErrEOF:          {"EEOF", "no more chunks"},
	ErrRange:        {"ERANGE", "buffer too small"},
	ErrNotFound:     {"ENOENT", "not found"},
	ErrInternal:     {"EINTERNAL", "host fault"},
}

// String returns the code's ABI name, such as "EPERM", or "errno N" for a code this package does
// not know.
func (e Errno) String() string {
	if int(e) < len(errnos) {
		return errnos[e].name
	}
	return "errno " + strconv.FormatUint(uint64(e), 10)
}

// Error returns the code's name and meaning in plain words.
func (e Errno) Error() string {
	if int(e) < len(errnos) {
		return "aios: " + errnos[e].meaning + " (" + errnos[e].name + ")"
	}
	return "aios: " + e.String()
}
