package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// fetcher returns a manager with one http_fetch tool configured by c, under policy p.
func fetcher(t *testing.T, c HTTPFetchConfig, p Policy) *Manager {
	t.Helper()
	h, err := NewHTTPFetch(c)
	if err != nil {
		t.Fatal(err)
	}
	return newManager(t, Options{Default: p}, h)
}

func fetch(m *Manager, rawURL string) (Result, error) {
	return fetchArgs(m, fmt.Sprintf(`{"url":%q}`, rawURL))
}

func fetchArgs(m *Manager, args string) (Result, error) {
	c, err := m.Prepare("http_fetch", json.RawMessage(args))
	if err != nil {
		return Result{}, err
	}
	return m.Run(context.Background(), "acme/agent", c)
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func TestHTTPFetchAllowedHost(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "text/plain" {
			http.Error(w, "no accept header", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello from "+r.URL.Path)
	})
	m := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"127.0.0.1"}, AllowAddresses: loopback}, Policy{})
	c, err := m.Prepare("http_fetch", json.RawMessage(fmt.Sprintf(`{"url":"%s/page","headers":{"Accept":"text/plain"}}`, s.URL)))
	if err != nil {
		t.Fatal(err)
	}
	if c.Host != "127.0.0.1" || c.Info.Kind != KindHTTPFetch {
		t.Fatalf("Call.Host = %q, Kind %q", c.Host, c.Info.Kind)
	}
	res, err := m.Run(context.Background(), "acme/agent", c)
	if err != nil {
		t.Fatal(err)
	}
	want := "HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 16\n\nhello from /page"
	if res.Content != want || res.IsError || res.Truncated || res.Bytes != int64(len(want)) {
		t.Fatalf("result = %+v; want content %q", res, want)
	}
	res, err = fetchArgs(m, fmt.Sprintf(`{"url":"%s/missing","method":"HEAD"}`, s.URL))
	if err != nil || !res.IsError || !strings.HasPrefix(res.Content, "HTTP/1.1 400 Bad Request\n") {
		t.Fatalf("HEAD without the header: %+v, %v", res, err)
	}
}

func TestHTTPFetchRefusesHostsNotAllowed(t *testing.T) {
	var hits atomic.Int32
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	port := s.URL[strings.LastIndex(s.URL, ":"):]
	m := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"example.com", "*.example.org"}, AllowAddresses: loopback}, Policy{})
	for _, u := range []string{
		s.URL,
		"http://2130706433" + port, // 127.0.0.1 in another spelling
		"http://example.org" + port,
		"http://badexample.com" + port,
	} {
		_, err := fetch(m, u)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "not in this tool's allow_hosts") {
			t.Errorf("%s: err = %v; want refused by allow_hosts", u, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the server was reached %d times", hits.Load())
	}
}

func TestHTTPFetchRefusesSchemesAndUserinfo(t *testing.T) {
	m := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"*"}, AllowAddresses: loopback}, Policy{})
	for u, want := range map[string]string{
		"ftp://127.0.0.1/file":          `scheme "ftp"`,
		"file:///etc/passwd":            `scheme "file"`,
		"gopher://127.0.0.1/":           `scheme "gopher"`,
		"http://user:pw@127.0.0.1/":     "user information",
		"http://user@127.0.0.1/":        "user information",
		"http:///no-host":               "has no host",
		"http://exa_mple..com/":         "not a valid host",
		"javascript:alert(1)":           `scheme "javascript"`,
		"HTTP://user:pw@127.0.0.1:1/x/": "user information",
	} {
		_, err := fetch(m, u)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v; want refused with %q", u, err, want)
		}
	}
}

func TestHTTPFetchRedirects(t *testing.T) {
	var target atomic.Value
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to":
			http.Redirect(w, r, target.Load().(string), http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			io.WriteString(w, "landed")
		}
	})
	m := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"127.0.0.1", "127.0.0.2", "10.0.0.1", "169.254.169.254", "localhost"},
		AllowAddresses: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, MaxRedirects: 3}, Policy{})
	port := s.URL[strings.LastIndex(s.URL, ":"):]

	target.Store(s.URL + "/landing")
	if res, err := fetch(m, s.URL+"/to"); err != nil || !strings.HasSuffix(res.Content, "\n\nlanded") {
		t.Fatalf("allowed redirect: %+v, %v", res, err)
	}
	for to, want := range map[string]string{
		"http://evil.example/":           "redirect to http://evil.example/: refused: host evil.example is not in this tool's allow_hosts",
		"ftp://127.0.0.1/":               `scheme "ftp"`,
		"http://127.0.0.2" + port + "/":  "address 127.0.0.2 of host 127.0.0.2 is loopback; allow it with allow_addresses",
		"http://10.0.0.1/":               "address 10.0.0.1 of host 10.0.0.1 is private",
		"http://169.254.169.254/latest/": "is metadata",
	} {
		target.Store(to)
		_, err := fetch(m, s.URL+"/to")
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), want) {
			t.Errorf("redirect to %s: err = %v; want refused with %q", to, err, want)
		}
	}
	// Past max_redirects, the last redirect is the result.
	res, err := fetch(m, s.URL+"/loop")
	if err != nil || !strings.HasPrefix(res.Content, "HTTP/1.1 302 Found\n") || !strings.Contains(res.Content, "Location: /loop\n") {
		t.Fatalf("redirect loop: %+v, %v", res, err)
	}
}

func TestHTTPFetchRefusesLoopbackAtConnect(t *testing.T) {
	var hits atomic.Int32
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	port := s.URL[strings.LastIndex(s.URL, ":"):]
	// The host is allowed by name; the address it resolves to is not.
	m := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"localhost", "127.0.0.1", "*.localhost"}}, Policy{})
	for _, u := range []string{"http://localhost" + port, s.URL, "http://[::ffff:127.0.0.1]" + port} {
		_, err := fetch(m, u)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "is loopback") {
			t.Errorf("%s: err = %v; want refused as loopback", u, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the server was reached %d times", hits.Load())
	}
	// allow_addresses lets the same name through.
	ok := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"localhost"}, AllowAddresses: loopback}, Policy{})
	if res, err := fetch(ok, "http://localhost"+port); err != nil || res.IsError {
		t.Fatalf("localhost with allow_addresses: %+v, %v", res, err)
	}
}

func TestHTTPFetchBodyCap(t *testing.T) {
	const total = 100 << 20
	chunk := strings.Repeat("x", 32<<10)
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("length") != "" {
			w.Header().Set("Content-Length", fmt.Sprint(total))
		}
		for sent := 0; sent < total; sent += len(chunk) {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	const limit = 64 << 10
	m := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"127.0.0.1"}, AllowAddresses: loopback}, Policy{MaxOutput: limit})

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := fetch(m, s.URL+"/?length=1")
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 20<<20 {
		t.Fatalf("fetching 100 MB with a 64 KiB cap allocated %d bytes", alloc)
	}
	head := strings.Index(res.Content, "\n\n") + 2
	if len(res.Content) != limit || !res.Truncated || res.Bytes != int64(head+total) {
		t.Fatalf("declared length: %d bytes kept, truncated %v, Bytes %d; want %d, true, %d", len(res.Content), res.Truncated, res.Bytes, limit, head+total)
	}
	// Without a declared length, Bytes is a lower bound: one more than was kept.
	res, err = fetch(m, s.URL)
	if err != nil || len(res.Content) != limit || !res.Truncated || res.Bytes != limit+1 {
		t.Fatalf("chunked: %d bytes kept, truncated %v, Bytes %d, %v", len(res.Content), res.Truncated, res.Bytes, err)
	}
}

func TestHTTPFetchTimeCap(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a body that never ends
	})
	m := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"127.0.0.1"}, AllowAddresses: loopback}, Policy{Timeout: 100 * time.Millisecond})
	_, err := fetch(m, s.URL)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want a timeout", err)
	}
}

func TestHTTPFetchUnreachableHostIsToolError(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	addr := s.URL
	s.Close() // nothing listens there now
	m := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"127.0.0.1"}, AllowAddresses: loopback}, Policy{})
	res, err := fetch(m, addr)
	if err != nil || !res.IsError || !strings.Contains(res.Content, "connection refused") {
		t.Fatalf("result %+v, err %v; want a tool error about the refused connection", res, err)
	}
}

func TestHTTPFetchHeaders(t *testing.T) {
	m := fetcher(t, HTTPFetchConfig{AllowHosts: []string{"*"}, AllowAddresses: loopback}, Policy{})
	for args, want := range map[string]string{
		`{"url":"http://127.0.0.1/","headers":{"Host":"evil.example"}}`:       "header Host is set by http_fetch itself",
		`{"url":"http://127.0.0.1/","headers":{"proxy-authorization":"x"}}`:   "header Proxy-Authorization",
		`{"url":"http://127.0.0.1/","headers":{"X-A":"line\r\nInjected: 1"}}`: "not a valid HTTP header",
		`{"url":"http://127.0.0.1/","headers":{"bad name":"1"}}`:              "not a valid HTTP header",
		`{"url":"http://127.0.0.1/","method":"POST"}`:                         "method",
		`{"url":"http://127.0.0.1/","headers":{"a":1}}`:                       "want string",
		`{"url":"http://127.0.0.1/","extra":true}`:                            "additional properties",
		`{"url":"http://127.0.0.1/\n%zz"}`:                                    "url",
	} {
		_, err := fetchArgs(m, args)
		if !errors.Is(err, ErrInvalidArgs) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v; want ErrInvalidArgs with %q", args, err, want)
		}
	}
}

func TestHostPatterns(t *testing.T) {
	g, err := newGuard([]string{"Example.COM.", "*.example.org", "[::1]", "127.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{
		"example.com": true, "www.example.com": false, "a.example.org": true, "a.b.example.org": true,
		"example.org": false, "badexample.org": false, "::1": true, "127.0.0.1": true, "127.0.0.2": false,
	} {
		u := &url.URL{Scheme: "http", Host: host}
		if strings.Contains(host, ":") {
			u.Host = "[" + host + "]"
		}
		if got := g.checkURL(u) == nil; got != want {
			t.Errorf("%s allowed = %v; want %v", host, got, want)
		}
	}
	for _, bad := range []string{"", "*.", "*.1.2.3.4", "exa mple.com", "a..b", "*example.com"} {
		if err := CheckHostPattern(bad); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
}
