package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestEveryDocumentedOperationIsServed sends each operation of docs/openapi.yaml to the server:
// none may be unrouted (the mux's plain-text 404 or 405), and the checked transport holds each
// answer to the document.
func TestEveryDocumentedOperationIsServed(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	doc, _ := specRouter(t)
	n := 0
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			url := s.ts.URL + strings.ReplaceAll(path, "{id}", "nope")
			var body *strings.Reader
			if method == http.MethodPost {
				body = strings.NewReader(`{"approve": true}`)
			} else {
				body = strings.NewReader("")
			}
			req, err := http.NewRequest(method, url, body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := s.http().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusMethodNotAllowed || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && resp.StatusCode == http.StatusNotFound {
				t.Errorf("%s %s: %d %s, not routed", method, path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			n++
		}
	}
	if n != 14 {
		t.Fatalf("%d operations in docs/openapi.yaml, want the 14 the server routes", n)
	}
}
