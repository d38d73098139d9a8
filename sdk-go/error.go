package aios

import "errors"

// ErrNotInAIOS is returned by every call of this package in a program that is not running as an
// aios agent: one built for another GOOS than wasip1, such as a host-side test.
var ErrNotInAIOS = errors.New("aios: this call works only inside an aios agent (build with GOOS=wasip1 GOARCH=wasm)")

// Error describes a failed system call, as the host's last_error reports it.
//
// An *Error wraps its Code, so errors.Is(err, aios.ErrQuota) works on it, and errors.As(err,
// &errno) extracts the code.
type Error struct {
	Code    Errno  `json:"code"`    // the errno the call returned
	Name    string `json:"name"`    // the host's name for Code, such as "EPERM"
	Call    string `json:"call"`    // the system call that failed, such as "llm_generate"
	Message string `json:"message"` // the host's explanation; may be empty
}

// Error returns "aios: CALL: NAME: MESSAGE", leaving out what is unknown.
func (e *Error) Error() string {
	s := "aios: "
	if e.Call != "" {
		s += e.Call + ": "
	}
	name := e.Name
	if name == "" {
		name = e.Code.String()
	}
	s += name
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the error's code, which makes errors.Is match the sentinel Errno values.
func (e *Error) Unwrap() error { return e.Code }
