package llm

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrBadRequest marks a request a core refuses as malformed; retrying it cannot succeed.
var ErrBadRequest = errors.New("bad request")

// StatusError is a backend's refusal of a request, with its HTTP status.
//
// Its HTTPStatus and RetryAfter methods are what the dispatcher reads to decide whether, and
// when, to try again.
type StatusError struct {
	// Status is the HTTP status code the backend answered with.
	Status int
	// Message is the backend's own explanation, when it gave one.
	Message string
	// After is how long the backend asked the client to wait before trying again (its
	// Retry-After header); zero when it did not say.
	After time.Duration
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
	if e.After > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.After)
	}
	return s
}

// HTTPStatus returns Status.
func (e *StatusError) HTTPStatus() int { return e.Status }

// RetryAfter returns After: the wait the backend asked for, or zero.
func (e *StatusError) RetryAfter() time.Duration { return e.After }

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
