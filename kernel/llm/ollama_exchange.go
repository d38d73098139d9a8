package llm

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/ollama/ollama/api"
)

// exchange is the transport of one Ollama call. It sends the core's own credential, and only to
// the configured host, and remembers the response's status and headers, which the api package
// does not pass on.
//
// The http.Client that owns it calls RoundTrip from the goroutine that runs the call, so the
// fields are read after the call without locking.
type exchange struct {
	next   http.RoundTripper
	host   string
	key    string
	status int
	header http.Header
}

// RoundTrip implements http.RoundTripper.
func (x *exchange) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Del("Authorization")
	if x.key != "" && req.URL.Host == x.host {
		req.Header.Set("Authorization", "Bearer "+x.key)
	}
	resp, err := x.next.RoundTrip(req)
	if err == nil {
		x.status, x.header = resp.StatusCode, resp.Header
	}
	return resp, err
}

// explain turns the api package's error answers into a StatusError with the wait the server
// asked for. An error the server sent inside a stream that began with 200 OK counts as HTTP 500:
// Ollama reports a failure of the model runner that way once it has started answering. Other
// errors (the connection, the request) pass unchanged.
func (x *exchange) explain(err error) error {
	var (
		se   api.StatusError
		auth api.AuthorizationError
		ue   *url.Error
		out  *StatusError
	)
	switch {
	case errors.As(err, &se):
		out = &StatusError{Status: se.StatusCode, Message: se.ErrorMessage, Err: err}
	case errors.As(err, &auth):
		out = &StatusError{Status: auth.StatusCode, Err: err}
	case x.status >= 200 && x.status < 300 && !errors.As(err, &ue):
		out = &StatusError{Status: http.StatusInternalServerError, Message: "error in the response stream: " + err.Error(), Err: err}
	default:
		return err
	}
	out.After = retryAfter(x.header, time.Now())
	return out
}
