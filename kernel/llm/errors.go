package llm

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrBadRequest marks a request a core refuses as malformed; retrying it cannot succeed.
var ErrBadRequest = errors.New("bad request")

// StatusError is a backend's refusal of a request, with its HTTP status.
type StatusError struct {
	// Status is the HTTP status code the backend answered with.
	Status int
	// Message is the backend's own explanation, when it gave one.
	Message string
	// Err is the client library's error.
	Err error
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("backend answered HTTP %d", e.Status)
	if text := http.StatusText(e.Status); text != "" {
		s += " " + text
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the client library's error.
func (e *StatusError) Unwrap() error { return e.Err }

// Temporary reports whether the same request may succeed later: the backend was overloaded,
// rate limited or failed internally.
func (e *StatusError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout || e.Status >= 500
}

// Is lets callers test a refusal by meaning: errors.Is(err, ErrBadRequest) for 400 and 422, and
// errors.Is(err, ErrNoModel) for 404, which chat completion servers answer for an unknown model.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity
	case ErrNoModel:
		return e.Status == http.StatusNotFound
	}
	return false
}
