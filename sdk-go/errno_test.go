package aios

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrnoNames(t *testing.T) {
	tests := []struct {
		code Errno
		name string
	}{
		{ErrInvalid, "EINVAL"},
		{ErrTooBig, "E2BIG"},
		{ErrTimeout, "ETIMEDOUT"},
		{ErrPermission, "EPERM"},
		{ErrQuota, "EQUOTA"},
		{ErrLimit, "ELIMIT"},
		{ErrBackend, "EBACKEND"},
		{ErrInternal, "EINTERNAL"},
		{Errno(99), "errno 99"},
	}
	for _, tt := range tests {
		if got := tt.code.String(); got != tt.name {
			t.Errorf("Errno(%d).String() = %q, want %q", uint32(tt.code), got, tt.name)
		}
	}
}

func TestErrnoCodesMatchABITable(t *testing.T) {
	// docs/ABI.md, section 3: codes never change meaning.
	want := map[Errno]uint32{
		ErrInvalid: 1, ErrFault: 2, ErrTooBig: 3, ErrNoSys: 4, ErrNotSupported: 5, ErrAgain: 6,
		ErrTimeout: 7, ErrCanceled: 8, ErrBadHandle: 9, ErrPermission: 10, ErrQuota: 11,
		ErrLimit: 12, ErrBackend: 13, ErrEOF: 14, ErrRange: 15, ErrNotFound: 16, ErrInternal: 17,
	}
	for code, n := range want {
		if uint32(code) != n {
			t.Errorf("%s = %d, want %d", code, uint32(code), n)
		}
	}
}

func TestErrorMatchesSentinel(t *testing.T) {
	err := fmt.Errorf("ask model: %w", &Error{Code: ErrQuota, Name: "EQUOTA", Call: "llm_generate", Message: "token budget of 1000 exhausted"})
	if !errors.Is(err, ErrQuota) {
		t.Errorf("errors.Is(%v, ErrQuota) = false", err)
	}
	if errors.Is(err, ErrPermission) {
		t.Errorf("errors.Is(%v, ErrPermission) = true", err)
	}
	var code Errno
	if !errors.As(err, &code) || code != ErrQuota {
		t.Errorf("errors.As gave code %v, want EQUOTA", code)
	}
	var e *Error
	if !errors.As(err, &e) || e.Call != "llm_generate" {
		t.Errorf("errors.As gave %+v, want the *Error of llm_generate", e)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Code: ErrPermission, Name: "EPERM", Call: "llm_generate", Message: "model gpt-x not allowed"}, "aios: llm_generate: EPERM: model gpt-x not allowed"},
		{&Error{Code: ErrLimit, Call: "output"}, "aios: output: ELIMIT"},
		{&Error{Code: Errno(40), Name: "ENEW"}, "aios: ENEW"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
