package mcp

import (
	"fmt"
	"io"
	"mime"
	"net/http"
)

// limitedBodies is an http.RoundTripper that bounds every response body except event
// streams to max bytes: the go-sdk reads a JSON response whole (io.ReadAll), and bounds
// each server-sent event itself (StreamableClientTransport.MaxEventSize).
type limitedBodies struct {
	next http.RoundTripper
	max  int64
}

func (t limitedBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		resp.Body = &limitedBody{body: resp.Body, left: t.max, max: t.max}
	}
	return resp, nil
}

// limitedBody fails a read once more than max bytes have come.
type limitedBody struct {
	body      io.ReadCloser
	left, max int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, fmt.Errorf("mcp server response is larger than %d bytes", b.max)
	}
	// Read one byte past the limit to tell "exactly max" from "too long".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, fmt.Errorf("mcp server response is larger than %d bytes", b.max)
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.body.Close() }
