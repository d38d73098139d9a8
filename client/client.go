// Package client is a Go client of the aios kernel's HTTP API (docs/openapi.yaml), as
// `aios kernel serve` serves it.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls one kernel's API. It is safe for concurrent use.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// Option adjusts a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests with h (e.g. one with TLS roots or
// timeouts); the default is http.DefaultClient.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// New returns a client of the kernel at baseURL (e.g. "http://127.0.0.1:7420"), sending token
// as its bearer token; an empty token sends none.
func New(baseURL, token string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), token: token, http: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Error is a response with an error status; Message is the server's explanation.
type Error struct {
	StatusCode int
	Message    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("kernel: %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

// IsNotFound reports whether err is a 404: no such run or approval, or not the caller's.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// do sends a request with body marshaled as JSON (nil: none) and returns the response when its
// status is want; otherwise it returns an *Error and closes the body.
func (c *Client) do(ctx context.Context, method, path string, body any, header http.Header, want int) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		var eb ErrorBody
		msg := strings.TrimSpace(string(raw))
		if json.Unmarshal(raw, &eb) == nil && eb.Error != "" {
			msg = eb.Error
		}
		return nil, &Error{StatusCode: resp.StatusCode, Message: msg}
	}
	return resp, nil
}

// call sends a request and decodes a JSON response of status want into out.
func (c *Client) call(ctx context.Context, method, path string, body any, want int, out any) error {
	resp, err := c.do(ctx, method, path, body, nil, want)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("kernel: %s %s: decode the response: %w", method, path, err)
	}
	return nil
}

// Submit starts a run (POST /v1/runs).
func (c *Client) Submit(ctx context.Context, req RunRequest) (Run, error) {
	var r Run
	err := c.call(ctx, http.MethodPost, "/v1/runs", req, http.StatusCreated, &r)
	return r, err
}

// Runs lists the caller's runs, oldest first (GET /v1/runs).
func (c *Client) Runs(ctx context.Context) ([]Run, error) {
	var rs []Run
	err := c.call(ctx, http.MethodGet, "/v1/runs", nil, http.StatusOK, &rs)
	return rs, err
}

// Run returns one run (GET /v1/runs/{id}).
func (c *Client) Run(ctx context.Context, id string) (Run, error) {
	var r Run
	err := c.call(ctx, http.MethodGet, "/v1/runs/"+url.PathEscape(id), nil, http.StatusOK, &r)
	return r, err
}

// Cancel asks a run to stop (DELETE /v1/runs/{id}); it does not wait for it to end.
func (c *Client) Cancel(ctx context.Context, id string) (Run, error) {
	var r Run
	err := c.call(ctx, http.MethodDelete, "/v1/runs/"+url.PathEscape(id), nil, http.StatusAccepted, &r)
	return r, err
}

// Output returns an ended run's output (GET /v1/runs/{id}/output).
func (c *Client) Output(ctx context.Context, id string) ([]byte, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/runs/"+url.PathEscape(id)+"/output", nil, nil, http.StatusOK)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Approvals lists the caller's calls waiting for an answer (GET /v1/approvals).
func (c *Client) Approvals(ctx context.Context) ([]Approval, error) {
	var as []Approval
	err := c.call(ctx, http.MethodGet, "/v1/approvals", nil, http.StatusOK, &as)
	return as, err
}

// Answer approves or denies a waiting call (POST /v1/approvals/{id}).
func (c *Client) Answer(ctx context.Context, id string, approve bool) (Approval, error) {
	var a Approval
	err := c.call(ctx, http.MethodPost, "/v1/approvals/"+url.PathEscape(id), Answer{Approve: approve}, http.StatusOK, &a)
	return a, err
}

// Usage returns what the caller's runs used (GET /v1/usage).
func (c *Client) Usage(ctx context.Context) (TenantUsage, error) {
	var u TenantUsage
	err := c.call(ctx, http.MethodGet, "/v1/usage", nil, http.StatusOK, &u)
	return u, err
}

// Ready reports nil when the kernel admits runs (GET /readyz), else why not.
func (c *Client) Ready(ctx context.Context) error {
	resp, err := c.do(ctx, http.MethodGet, "/readyz", nil, nil, http.StatusOK)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
