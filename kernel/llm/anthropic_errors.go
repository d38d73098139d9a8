package llm

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
)

// anthropicStatuses gives the HTTP status the Messages API documents for each error type
// (https://docs.anthropic.com/en/api/errors). An error event inside a stream arrives on a
// response that began with 200, so its type is all that says what went wrong.
var anthropicStatuses = map[string]int{
	"invalid_request_error": http.StatusBadRequest,
	"authentication_error":  http.StatusUnauthorized,
	"billing_error":         http.StatusPaymentRequired,
	"permission_error":      http.StatusForbidden,
	"not_found_error":       http.StatusNotFound,
	"request_too_large":     http.StatusRequestEntityTooLarge,
	"rate_limit_error":      http.StatusTooManyRequests,
	"api_error":             http.StatusInternalServerError,
	"timeout_error":         http.StatusGatewayTimeout,
	"overloaded_error":      529,
}

// anthropicStatusError turns the SDK's API error into a StatusError carrying the backend's
// status, its explanation and the wait it asked for.
func anthropicStatusError(apiErr *anthropic.Error) *StatusError {
	var body struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	// A body that is not the documented error object leaves the message empty; the status
	// still says what happened, and the SDK's error keeps the raw body.
	_ = json.Unmarshal([]byte(apiErr.RawJSON()), &body)
	se := &StatusError{Status: apiErr.StatusCode, Message: body.Error.Message, Err: apiErr}
	if body.Error.Type != "" && se.Message != "" {
		se.Message = body.Error.Type + ": " + se.Message
	}
	if se.Status < http.StatusBadRequest {
		se.Status = http.StatusInternalServerError
		if s, ok := anthropicStatuses[body.Error.Type]; ok {
			se.Status = s
		}
		se.Message = strings.TrimSpace(se.Message + " (sent as an error event in the stream)")
	}
	if apiErr.Response != nil {
		se.After = retryAfter(apiErr.Response.Header, time.Now())
	}
	return se
}
