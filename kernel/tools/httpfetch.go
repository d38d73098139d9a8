package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// Defaults of HTTPFetchConfig.
const (
	DefaultHTTPFetchName = "http_fetch"
	DefaultMaxRedirects  = 5
)

// HTTPFetchConfig configures the built-in http_fetch tool.
type HTTPFetchConfig struct {
	// Name is the tool's name; empty is DefaultHTTPFetchName.
	Name string
	// Description is what the model is told the tool does; empty is a description of its own.
	Description string
	// AllowHosts are the hosts the tool may fetch from (see CheckHostPattern): names,
	// addresses, "*.example.com" for any name under example.com, or "*" for any host. Empty
	// allows none.
	AllowHosts []string
	// AllowAddresses are special-purpose addresses (loopback, private, link-local, metadata,
	// ...) the tool may connect to anyway; every public address is allowed.
	AllowAddresses []netip.Prefix
	// MaxRedirects is how many redirects a fetch follows; zero is DefaultMaxRedirects and a
	// negative number follows none. The response that would redirect once more is the result.
	MaxRedirects int
	// Resolver resolves host names; nil is net.DefaultResolver.
	Resolver *net.Resolver
}

// HTTPFetch is the built-in http_fetch tool, a Source of one tool. It fetches an http or https
// URL with GET or HEAD and gives the response as text:
//
//	HTTP/1.1 200 OK
//	Content-Type: text/html; charset=utf-8
//	Content-Length: 1256
//
//	<body>
//
// The headers given are Content-Type, Content-Length, Last-Modified and Location, when the
// response has them. A status of 400 or more sets Result.IsError.
//
// It refuses (ErrRefused) URLs that are not http or https, carry user information or name a
// host AllowHosts does not list, and connections to special-purpose addresses AllowAddresses
// does not list. Both are checked for every redirect, and addresses when connecting, on the
// addresses actually dialed. No proxy is used, whatever the environment says.
//
// # Notes
//
// Result.Bytes is exact when Result.Truncated is false. When the body was cut, it is the size
// the server declared (Content-Length) or, without one, a lower bound: the bytes read, one more
// than were kept. A body the server compressed is counted decompressed.
type HTTPFetch struct {
	name, description string
	guard             guard
	maxRedirects      int
	transport         *http.Transport
	client            *http.Client
}

// NewHTTPFetch returns the http_fetch tool c describes.
func NewHTTPFetch(c HTTPFetchConfig) (*HTTPFetch, error) {
	g, err := newGuard(c.AllowHosts, c.AllowAddresses)
	if err != nil {
		return nil, err
	}
	h := &HTTPFetch{name: c.Name, description: c.Description, guard: g, maxRedirects: c.MaxRedirects}
	if h.name == "" {
		h.name = DefaultHTTPFetchName
	}
	if h.description == "" {
		h.description = "Fetch an http or https URL (GET or HEAD). Returns the status line, the content type and length, and the body as text, cut at a size limit. Only some hosts can be reached."
	}
	switch {
	case h.maxRedirects == 0:
		h.maxRedirects = DefaultMaxRedirects
	case h.maxRedirects < 0:
		h.maxRedirects = 0
	}
	resolver := c.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	d := &dialer{guard: g, resolver: resolver, net: net.Dialer{Timeout: 30 * time.Second, Control: g.control}}
	h.transport = &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		MaxIdleConns:           64,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	h.client = &http.Client{Transport: h.transport, CheckRedirect: h.checkRedirect}
	return h, nil
}

func (h *HTTPFetch) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > h.maxRedirects {
		return http.ErrUseLastResponse
	}
	if err := h.guard.checkURL(req.URL); err != nil {
		return fmt.Errorf("redirect to %s: %w", bound(req.URL.Redacted()), err)
	}
	return nil
}

// Name returns the tool's name, which is also its source's.
func (h *HTTPFetch) Name() string { return h.name }

const httpFetchSchema = `{
  "type": "object",
  "properties": {
    "url": {"type": "string", "maxLength": 8192, "description": "The http or https URL to fetch."},
    "method": {"type": "string", "enum": ["GET", "HEAD"], "default": "GET", "description": "GET (the default) or HEAD."},
    "headers": {"type": "object", "maxProperties": 32, "additionalProperties": {"type": "string", "maxLength": 8192}, "description": "Request headers, by name."}
  },
  "required": ["url"],
  "additionalProperties": false
}`

// Tools returns the one tool.
func (h *HTTPFetch) Tools(context.Context) ([]Info, error) {
	return []Info{{
		Tool:   Tool{Name: h.name, Description: h.description, Parameters: json.RawMessage(httpFetchSchema)},
		Kind:   KindHTTPFetch,
		Source: h.name,
	}}, nil
}

type httpFetchArgs struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
}

// forbiddenHeaders are set by the transport, not by agents.
var forbiddenHeaders = map[string]bool{
	"Host": true, "Connection": true, "Content-Length": true, "Transfer-Encoding": true, "Te": true,
	"Trailer": true, "Upgrade": true, "Keep-Alive": true, "Proxy-Authorization": true, "Proxy-Connection": true,
}

// Call fetches the URL args give; see HTTPFetch.
func (h *HTTPFetch) Call(ctx context.Context, name string, args json.RawMessage, limit int64) (Result, error) {
	if name != h.name {
		return Result{}, fmt.Errorf("%w: %q", ErrUnknownTool, bound(name))
	}
	var a httpFetchArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return Result{}, fmt.Errorf("%w: %s", ErrInvalidArgs, bound(err.Error()))
	}
	req, err := h.request(ctx, a)
	if err != nil {
		return Result{}, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if isPackageError(err) {
			return Result{}, fmt.Errorf("%s %s: %w", req.Method, bound(req.URL.Redacted()), err)
		}
		// The tool worked; the remote host did not answer. That is the model's to handle.
		msg := fmt.Sprintf("%s %s: %v", req.Method, req.URL.Redacted(), err)
		return Result{Content: bound(msg), IsError: true, Bytes: int64(len(bound(msg)))}, nil
	}
	defer resp.Body.Close()
	return readResponse(ctx, resp, limit)
}

func (h *HTTPFetch) request(ctx context.Context, a httpFetchArgs) (*http.Request, error) {
	u, err := url.Parse(a.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: url: %s", ErrInvalidArgs, bound(err.Error()))
	}
	if err := h.guard.checkURL(u); err != nil {
		return nil, err
	}
	method := a.Method
	if method == "" {
		method = http.MethodGet
	}
	if method != http.MethodGet && method != http.MethodHead {
		return nil, fmt.Errorf("%w: method %q: GET or HEAD", ErrInvalidArgs, bound(method))
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidArgs, bound(err.Error()))
	}
	req.Header.Set("User-Agent", "aios-http_fetch")
	for k, v := range a.Headers {
		if !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
			return nil, fmt.Errorf("%w: header %q is not a valid HTTP header", ErrInvalidArgs, bound(k))
		}
		if ck := http.CanonicalHeaderKey(k); forbiddenHeaders[ck] || strings.HasPrefix(ck, "Proxy-") {
			return nil, fmt.Errorf("%w: header %s is set by http_fetch itself", ErrInvalidArgs, ck)
		}
		req.Header.Set(k, v)
	}
	return req, nil
}

// readResponse gives resp as HTTPFetch's text, holding at most limit bytes of it.
func readResponse(ctx context.Context, resp *http.Response, limit int64) (Result, error) {
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s\n", resp.Proto, resp.Status)
	for _, k := range []string{"Content-Type", "Content-Length", "Last-Modified", "Location"} {
		if v := resp.Header.Get(k); v != "" {
			fmt.Fprintf(&head, "%s: %s\n", k, v)
		}
	}
	head.WriteByte('\n')
	res := Result{IsError: resp.StatusCode >= 400}
	if int64(head.Len()) > limit {
		res.Content, res.Truncated = head.String()[:limit], true
		res.Bytes = int64(head.Len())
		if resp.ContentLength > 0 && !resp.Uncompressed {
			res.Bytes += resp.ContentLength
		}
		return res, nil
	}
	room := limit - int64(head.Len())
	body, err := io.ReadAll(io.LimitReader(resp.Body, room+1))
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		msg := fmt.Sprintf("%s\nreading the body failed after %d bytes: %v", strings.TrimSpace(head.String()), len(body), err)
		return Result{Content: bound(msg), IsError: true, Bytes: int64(len(bound(msg)))}, nil
	}
	res.Bytes = int64(head.Len() + len(body))
	if int64(len(body)) > room {
		body, res.Truncated = body[:room], true
		if resp.ContentLength >= 0 && !resp.Uncompressed {
			res.Bytes = max(res.Bytes, int64(head.Len())+resp.ContentLength)
		}
	}
	res.Content = head.String() + string(body)
	return res, nil
}

// Close closes idle connections.
func (h *HTTPFetch) Close() error {
	h.transport.CloseIdleConnections()
	return nil
}
