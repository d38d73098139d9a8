package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/client"
)

// syncBuffer is a log destination the server's goroutines may write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// records parses every line of a JSON log; each must be one object.
func records(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not a JSON object: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

func TestRequestIDInResponseAndLog(t *testing.T) {
	var log syncBuffer
	s := newTestServer(t, "", nil, Options{Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	body, err := json.Marshal(client.RunRequest{Module: fixture(t, "minimal"), Name: "minimal"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, sent string
		kept       bool
	}{
		{name: "none"},
		{name: "sane", sent: "trace-42.abc_DEF:7", kept: true},
		{name: "longest", sent: strings.Repeat("r", 64), kept: true},
		{name: "too long", sent: strings.Repeat("r", 65)},
		{name: "space", sent: "two words"},
		{name: "tab", sent: "id\tx"},
		{name: "not ASCII", sent: "idé"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(log.String())
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.ts.URL+"/v1/runs", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if c.sent != "" {
				req.Header.Set("X-Request-Id", c.sent)
			}
			resp, err := s.http().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var run client.Run
			err = json.NewDecoder(resp.Body).Decode(&run)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("submit: %d, %v", resp.StatusCode, err)
			}
			id := resp.Header.Get("X-Request-Id")
			switch {
			case c.kept && id != c.sent:
				t.Errorf("X-Request-Id %q, want the client's %q", id, c.sent)
			case !c.kept && (!strings.HasPrefix(id, "req_") || len(id) != 28):
				t.Errorf("X-Request-Id %q, want a new req_ id", id)
			}
			var started, request bool
			for _, rec := range records(t, log.String()[before:]) {
				switch rec["msg"] {
				case "run started":
					started = rec["run"] == run.ID && rec["request_id"] == id && rec["agent"] == "minimal"
				case "request":
					request = rec["request_id"] == id && rec["path"] == "/v1/runs" && rec["status"] == float64(http.StatusCreated)
				}
			}
			if !started || !request {
				t.Errorf("the request's log records lack request_id %q (run started %v, request %v):\n%s", id, started, request, log.String()[before:])
			}
			waitFinal(t, s.client(""), run.ID)
		})
	}
}

func TestClientRequestID(t *testing.T) {
	for _, c := range []struct {
		values []string
		ok     bool
	}{
		{[]string{"abc-123"}, true},
		{[]string{strings.Repeat("x", maxRequestID)}, true},
		{nil, false},
		{[]string{""}, false},
		{[]string{"a", "b"}, false},
		{[]string{strings.Repeat("x", maxRequestID+1)}, false},
		{[]string{"a\nrequest_id=forged"}, false},
		{[]string{"a\x00b"}, false},
		{[]string{"a\x7fb"}, false},
		{[]string{"\xff\xfe"}, false},
	} {
		id, ok := clientRequestID(c.values)
		if ok != c.ok || (ok && id != c.values[0]) {
			t.Errorf("clientRequestID(%q) = %q, %v; want ok %v", c.values, id, ok, c.ok)
		}
	}
}
