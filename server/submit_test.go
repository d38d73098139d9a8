package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aiosys/aios/client"
)

// post sends body to POST /v1/runs and returns the status and error message.
func post(t *testing.T, s *testServer, body string) (int, string) {
	t.Helper()
	resp, err := s.http().Post(s.ts.URL+"/v1/runs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb client.ErrorBody
	_ = json.NewDecoder(resp.Body).Decode(&eb)
	return resp.StatusCode, eb.Error
}

func TestSubmitRefusesBadRequests(t *testing.T) {
	rego := `package aios.policy

deny contains "this agent may not start here" if {
	input.call == "start"
	input.agent.name == "blocked"
}
`
	s := newTestServer(t, "[policy]\npaths = [\"deny.rego\"]\n", map[string]string{"deny.rego": rego}, Options{})
	b64 := func(b []byte) string { m, _ := json.Marshal(b); return string(m) }
	minimal := b64(fixture(t, "minimal"))
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"malformed JSON", `{"module": `, 400, "request body"},
		{"not an object", `[1,2]`, 400, "request body"},
		{"unknown field", `{"module": ` + minimal + `, "modul": 1}`, 400, "unknown field"},
		{"two values", `{"module": ` + minimal + `} {}`, 400, "more than one"},
		{"no module", `{"input": "x"}`, 400, "module: required"},
		{"not base64", `{"module": "%%%"}`, 400, "request body"},
		{"not wasm", `{"module": ` + b64([]byte("hello, world")) + `}`, 400, "refused"},
		{"malformed wasm", `{"module": ` + b64(fixture(t, "malformed")) + `}`, 400, "refused"},
		{"forbidden import", `{"module": ` + b64(fixture(t, "forbidden")) + `}`, 400, "refused"},
		{"bad name", `{"module": ` + minimal + `, "name": "a\nb"}`, 400, "name"},
		{"bad env", `{"module": ` + minimal + `, "env": ["NOEQUALS"]}`, 400, "KEY=VALUE"},
		{"bad duration", `{"module": ` + minimal + `, "limits": {"wall_time": "-5s"}}`, 400, "wall_time"},
		{"limit above the host's", `{"module": ` + minimal + `, "limits": {"wall_time": "9999h"}}`, 400, "wall_time above"},
		{"tiny memory", `{"module": ` + minimal + `, "limits": {"memory": 1}}`, 400, "memory"},
		{"huge number", `{"module": ` + minimal + `, "priority": 1e400}`, 400, "request body"},
		{"policy denies the start", `{"module": ` + minimal + `, "name": "blocked"}`, 403, "may not start here"},
	} {
		status, msg := post(t, s, tc.body)
		if status != tc.status || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %q, want %d naming %q", tc.name, status, msg, tc.status, tc.want)
		}
	}
	if runs, err := s.client("").Runs(context.Background()); err != nil || len(runs) != 0 {
		t.Fatalf("runs after refusals = %+v, %v; want none", runs, err)
	}
	status, _ := post(t, s, `{"module": `+minimal+`, "limits": {"wall_time": "1m", "memory": 1048576}}`)
	if status != http.StatusCreated {
		t.Fatalf("a good request with limits: %d, want 201", status)
	}
}

// countingReader yields n bytes of filler inside a JSON string and counts what was read.
type countingReader struct {
	n, read int64
	prefix  []byte
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := int64(len(p))
	if k > r.n-r.read {
		k = r.n - r.read
	}
	for i := range p[:k] {
		idx := r.read + int64(i)
		if idx < int64(len(r.prefix)) {
			p[i] = r.prefix[idx]
		} else {
			p[i] = 'A'
		}
	}
	atomic.AddInt64(&r.read, k)
	return int(k), nil
}

func TestOversizedBodyIs413WithoutReadingIt(t *testing.T) {
	const gig = 1 << 30
	const maxBody = 1 << 20
	s := newTestServer(t, "", nil, Options{MaxBody: maxBody})
	by := startBystander(t, s.client(""))
	counted, read := countedServer(t, s.Handler())
	host := strings.TrimPrefix(counted.URL, "http://")

	for _, chunked := range []bool{false, true} {
		read.Store(0)
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		head := "POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		if chunked {
			head += "Transfer-Encoding: chunked\r\n\r\n"
		} else {
			head += fmt.Sprintf("Content-Length: %d\r\n\r\n", gig)
		}
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		body := &countingReader{n: gig, prefix: []byte(`{"module": "`)}
		go func() {
			buf := make([]byte, 64<<10)
			for {
				n, _ := body.Read(buf)
				if n == 0 {
					return
				}
				chunk := buf[:n]
				if chunked {
					chunk = append([]byte(fmt.Sprintf("%x\r\n", n)), append(chunk, "\r\n"...)...)
				}
				if _, err := conn.Write(chunk); err != nil {
					return // the server closed the connection
				}
			}
		}()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("chunked=%v: %v", chunked, err)
		}
		msg, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(msg, []byte("larger than 1048576 bytes")) {
			t.Fatalf("chunked=%v: %d %s, want 413", chunked, resp.StatusCode, msg)
		}
		if sent := atomic.LoadInt64(&body.read); sent >= gig {
			t.Fatalf("chunked=%v: the whole gigabyte was sent before the answer", chunked)
		}
		// The server reads at most MaxBody bytes of the body, and then what net/http reads past
		// the answer (it discards up to 256 KiB to keep a connection), its buffers, headers and
		// chunk framing: a constant, nowhere near the gigabyte.
		if n := read.Load(); n > 2*maxBody {
			t.Fatalf("chunked=%v: the server read %d bytes of a body limited to %d", chunked, n, maxBody)
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
			t.Fatalf("chunked=%v: %d bytes allocated while refusing the upload, want far less than the gigabyte", chunked, grown)
		}
	}
	by.check()
}
