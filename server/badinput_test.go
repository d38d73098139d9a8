package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/packager/bundle"
)

// bystander is a run started before bad input arrives: afterwards it must still be running,
// and a new run must still go from submission to its output.
type bystander struct {
	t   *testing.T
	c   *client.Client
	run client.Run
}

// startBystander starts a run of testdata/loop.wasm, which runs until it is canceled.
func startBystander(t *testing.T, c *client.Client) *bystander {
	t.Helper()
	return &bystander{t: t, c: c, run: submit(t, c, "loop", "")}
}

// check fails the test unless the bystander still runs and a new run of testdata/generate.wasm
// exits 0 with the echo core's reply; then it cancels the bystander.
func (b *bystander) check() {
	b.t.Helper()
	ctx := context.Background()
	if got, err := b.c.Run(ctx, b.run.ID); err != nil || got.Status != client.StatusRunning {
		b.t.Fatalf("the run started before the bad input = %+v, %v; want it still running", got, err)
	}
	r := submit(b.t, b.c, "generate", "")
	if done := waitFinal(b.t, b.c, r.ID); done.Status != client.StatusExited || *done.ExitCode != 0 {
		b.t.Fatalf("a run after the bad input = %+v, want exited 0", done)
	}
	if out, err := b.c.Output(ctx, r.ID); err != nil || !bytes.Contains(out, []byte("hello from a minimal agent")) {
		b.t.Fatalf("its output %q, %v; want the echo core's reply", out, err)
	}
	if _, err := b.c.Cancel(ctx, b.run.ID); err != nil {
		b.t.Fatal(err)
	}
	if done := waitFinal(b.t, b.c, b.run.ID); done.Status != client.StatusCanceled {
		b.t.Fatalf("the bystander = %+v, want canceled", done)
	}
}

// maxErrorBody is the most an error answer to a huge request may hold: it names what was
// wrong, it does not echo the request back.
const maxErrorBody = 2 << 10

func TestSubmitRefusesWrongTypesHugeFieldsAndDeepNesting(t *testing.T) {
	s := newTestServer(t, "", nil, Options{ModulesDir: t.TempDir()})
	by := startBystander(t, s.client(""))
	b64 := func(b []byte) string { m, _ := json.Marshal(b); return string(m) }
	minimal := b64(fixture(t, "minimal"))
	huge := strings.Repeat("A", 10<<20)
	for _, tc := range []struct {
		name, body string
		want       string
	}{
		{"empty body", ``, "request body"},
		{"module a number", `{"module": 5}`, "request body"},
		{"input a number", `{"module": ` + minimal + `, "input": 5}`, "request body"},
		{"args a string", `{"module": ` + minimal + `, "args": "--x"}`, "request body"},
		{"env of numbers", `{"module": ` + minimal + `, "env": [1]}`, "request body"},
		{"priority a string", `{"module": ` + minimal + `, "priority": "high"}`, "request body"},
		{"priority past int64", `{"module": ` + minimal + `, "priority": 99999999999999999999}`, "request body"},
		{"limits a string", `{"module": ` + minimal + `, "limits": "big"}`, "request body"},
		{"negative memory", `{"module": ` + minimal + `, "limits": {"memory": -1}}`, "request body"},
		{"wall_time a number", `{"module": ` + minimal + `, "limits": {"wall_time": 30}}`, "request body"},
		{"invalid UTF-8", "{\"module\": " + minimal + ", \"name\": \"\xff\xfe\"}", "name"},
		{"10 MB name", `{"module": ` + minimal + `, "name": "` + huge + `"}`, "name"},
		{"10 MB env entry", `{"module": ` + minimal + `, "env": ["` + huge + `"]}`, "KEY=VALUE"},
		{"10 MB duration", `{"module": ` + minimal + `, "limits": {"cpu_time": "` + huge + `"}}`, "cpu_time"},
		{"10 MB path", `{"path": "` + huge + `"}`, "path"},
		{"10 MB unknown field", `{"module": ` + minimal + `, "` + huge + `": 1}`, "unknown field"},
		{"10 MB module of garbage", `{"module": ` + b64([]byte(huge)) + `}`, "refused"},
		{"nested 100000 deep", `{"module": ` + minimal + `, "limits": ` + strings.Repeat("[", 100000) + `}`, "request body"},
		{"nested objects 100000 deep", `{"input": ` + strings.Repeat(`{"a":`, 100000) + `}`, "request body"},
	} {
		status, msg := post(t, s, tc.body)
		if status != http.StatusBadRequest || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %.200q, want 400 naming %q", tc.name, status, msg, tc.want)
		}
		if len(msg) > maxErrorBody {
			t.Errorf("%s: a %d-byte error message; want at most %d, not the request echoed", tc.name, len(msg), maxErrorBody)
		}
	}
	// A 10 MB input is an input: the run gets it whole.
	out := submitAndOutput(t, s.client(""), "outputnoop", huge)
	if len(out) != 0 {
		t.Fatalf("outputnoop wrote %d bytes", len(out))
	}
	by.check()
}

// submitAndOutput runs testdata/NAME.wasm with input and returns its output once it exited 0.
func submitAndOutput(t *testing.T, c *client.Client, name, input string) []byte {
	t.Helper()
	r := submit(t, c, name, input)
	done := waitFinal(t, c, r.ID)
	if done.Status != client.StatusExited || *done.ExitCode != 0 {
		t.Fatalf("%s = %+v, want exited 0", name, done)
	}
	out, err := c.Output(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// countedServer serves h on loopback and counts the bytes it reads from its connections.
func countedServer(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	read := &atomic.Int64{}
	ts.Listener = &countingListener{Listener: ts.Listener, read: read}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, read
}

// countingListener's connections add what they read to read.
type countingListener struct {
	net.Listener
	read *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, read: l.read}, nil
}

type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func TestSubmitAtCapacityIs429BeforeReadingTheBody(t *testing.T) {
	s := newTestServer(t, "", nil, Options{MaxActive: 1})
	by := startBystander(t, s.client(""))
	counted, read := countedServer(t, s.Handler())
	// An 8 MiB module, within MaxBody: refused for the active run, not read nor compiled.
	body := `{"module": ` + strconv.Quote(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0}, 8<<20))) + `}`
	resp, err := http.Post(counted.URL+"/v1/runs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || !bytes.Contains(msg, []byte("too many runs")) {
		t.Fatalf("%d %s, want 429", resp.StatusCode, msg)
	}
	if n := read.Load(); n > 1<<20 {
		t.Fatalf("the server read %d bytes of a request it refused at once", n)
	}
	if _, err := s.client("").Cancel(context.Background(), by.run.ID); err != nil {
		t.Fatal(err)
	}
	waitFinal(t, s.client(""), by.run.ID)
	// The slot is free again once the canceled run's goroutine has returned.
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	for {
		r, err := s.client("").Submit(ctx, client.RunRequest{Module: fixture(t, "minimal")})
		if err == nil {
			waitFinal(t, s.client(""), r.ID)
			break
		}
		var apiErr *client.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests || ctx.Err() != nil {
			t.Fatalf("after the active run ended: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// customSection is a WebAssembly custom section named name holding payload (sizes under 128
// bytes, one LEB128 byte each).
func customSection(name, payload string) []byte {
	body := append([]byte{byte(len(name))}, name...)
	body = append(body, payload...)
	return append([]byte{0, byte(len(body))}, body...)
}

func TestHostileModulesAreRefusedOrFailAlone(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	c := s.client("")
	by := startBystander(t, c)
	minimal := fixture(t, "minimal")
	for name, module := range map[string][]byte{
		"nesting past the limit":  fixture(t, "deepnest"),
		"no _start":               fixture(t, "nostart"),
		"imported memory":         fixture(t, "importedmem"),
		"truncated":               fixture(t, "truncated"),
		"empty":                   {0},
		"a manifest of garbage":   append(slices.Clone(minimal), customSection(bundle.ManifestSection, "not a manifest")...),
		"an unknown aios section": append(slices.Clone(minimal), customSection("aios.surprise", "x")...),
	} {
		_, err := c.Submit(context.Background(), client.RunRequest{Module: module})
		var apiErr *client.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || !strings.Contains(apiErr.Message, "refused") {
			t.Errorf("%s: %v, want 400 saying the module is refused", name, err)
		}
	}
	// Modules that load but misbehave as they run end failed, each saying why, one at a time
	// or together, while the bystander runs on.
	var ids []string
	for _, tc := range []struct{ fixture, cpu, want string }{
		{"growbomb", "", "memory"},
		{"recursion", "", "stack"},
		{"oob", "", "out of bounds"},
		{"syscallflood", "1s", "cpu_time"},
	} {
		r, err := c.Submit(context.Background(), client.RunRequest{Module: fixture(t, tc.fixture), Name: tc.fixture,
			Limits: &client.Limits{CPUTime: tc.cpu}})
		if err != nil {
			t.Fatalf("%s: %v", tc.fixture, err)
		}
		ids = append(ids, r.ID)
		defer func() {
			done := waitFinal(t, c, r.ID)
			if done.Status != client.StatusFailed || !strings.Contains(done.Error, tc.want) {
				t.Errorf("%s = %+v, want failed naming %q", tc.fixture, done, tc.want)
			}
		}()
	}
	for _, id := range ids {
		waitFinal(t, c, id)
	}
	by.check()
}

func TestUnauthenticatedUploadIsNotRead(t *testing.T) {
	s, alice, _ := twoTenants(t, "", nil, Options{})
	by := startBystander(t, s.client(alice))
	counted, read := countedServer(t, s.Handler())
	for _, header := range []string{"", "Bearer aios_wrong", "Basic YWxpY2U6eA=="} {
		read.Store(0)
		body := &countingReader{n: 1 << 30, prefix: []byte(`{"module": "`)}
		req, _ := http.NewRequest(http.MethodPost, counted.URL+"/v1/runs", body)
		req.ContentLength = -1 // chunked: the server cannot refuse by the length alone
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%q: %v", header, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("%q: %d, want 401 with a Bearer challenge", header, resp.StatusCode)
		}
		if n := read.Load(); n > 1<<20 {
			t.Fatalf("%q: the server read %d bytes of an unauthenticated upload", header, n)
		}
	}
	by.check()
}
