package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// spec is docs/openapi.yaml, loaded and validated once.
var spec = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromFile("../docs/openapi.yaml")
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	doc.Servers = nil // match the test servers' paths on any host
	return doc, nil
})

// specRouter finds a request's operation in the document.
func specRouter(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	doc, err := spec()
	if err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("docs/openapi.yaml router: %v", err)
	}
	return doc, r
}

// checkedTransport checks every response against docs/openapi.yaml: its route must be
// documented, its status, headers and JSON body must match, and each event of an event
// stream must be an Event.
type checkedTransport struct {
	t      *testing.T
	doc    *openapi3.T
	router routers.Router
}

func newCheckedTransport(t *testing.T) *checkedTransport {
	doc, r := specRouter(t)
	return &checkedTransport{t: t, doc: doc, router: r}
}

func (c *checkedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	route, params, ferr := c.router.FindRoute(req)
	if ferr != nil {
		c.t.Errorf("%s %s: not in docs/openapi.yaml: %v", req.Method, req.URL.Path, ferr)
		return resp, nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		in.Options.ExcludeResponseBody = true
		in.Body = io.NopCloser(strings.NewReader(""))
		if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
			c.t.Errorf("%s %s: response does not match docs/openapi.yaml: %v", req.Method, req.URL.Path, err)
		}
		resp.Body = c.checkEvents(req, resp.Body)
		return resp, nil
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil // the caller sees the body cut short
	}
	in.Body = io.NopCloser(bytes.NewReader(body))
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		c.t.Errorf("%s %s: %d response does not match docs/openapi.yaml: %v\nbody: %.500s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	return resp, nil
}

// checkEvents returns body, checking each data line that passes through as an Event.
func (c *checkedTransport) checkEvents(req *http.Request, body io.ReadCloser) io.ReadCloser {
	schema := c.doc.Components.Schemas["Event"].Value
	pr, pw := io.Pipe()
	go func() {
		defer body.Close()
		sc := bufio.NewScanner(body)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			line := sc.Text()
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var v any
				if err := json.Unmarshal([]byte(data), &v); err != nil {
					c.t.Errorf("%s: event data is not JSON: %v: %.200s", req.URL.Path, err, data)
				} else if err := schema.VisitJSON(v); err != nil {
					c.t.Errorf("%s: event does not match docs/openapi.yaml's Event: %v: %.200s", req.URL.Path, err, data)
				}
			}
			if _, err := io.WriteString(pw, line+"\n"); err != nil {
				return
			}
		}
		pw.CloseWithError(sc.Err())
	}()
	return pr
}
