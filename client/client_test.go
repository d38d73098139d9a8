package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/server"
)

// sse writes events as server-sent events.
func sse(w http.ResponseWriter, events ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, e := range events {
		fmt.Fprint(w, e)
	}
}

func ev(id int, typ, extra string) string {
	return fmt.Sprintf("id: %d\nevent: %s\ndata: {\"id\":%d,\"type\":%q%s}\n\n", id, typ, id, typ, extra)
}

func TestEventsReconnectWithLastEventID(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/events") { // after an empty stream, the client asks whether the run ended
			fmt.Fprint(w, `{"id":"run_1","status":"running"}`)
			return
		}
		mu.Lock()
		seen = append(seen, r.Header.Get("Last-Event-ID")+"|"+r.Header.Get("Authorization"))
		n := len(seen)
		mu.Unlock()
		switch n {
		case 1: // two events, then the connection drops
			sse(w, ev(1, "status", `,"status":"running"`), ev(2, "log", `,"text":"a"`))
		case 2: // nothing at all
			sse(w)
		default:
			sse(w, ev(3, "log", `,"text":"b"`), ev(4, "status", `,"status":"exited","exit_code":0`))
		}
	}))
	defer ts.Close()
	c := client.New(ts.URL, "tok")
	var ids []uint64
	for e, err := range c.Events(context.Background(), "run_1", 0) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if fmt.Sprint(ids) != "[1 2 3 4]" {
		t.Fatalf("ids = %v, want 1 to 4 once each", ids)
	}
	if want := []string{"|Bearer tok", "2|Bearer tok", "2|Bearer tok"}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("requests = %q, want %q", seen, want)
	}
}

func TestEventsGiveUpAndReportErrors(t *testing.T) {
	var calls int
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/events") {
			fmt.Fprint(w, `{"id":"stuck","status":"running"}`)
			return
		}
		calls++
		if strings.HasSuffix(r.URL.Path, "/gone/events") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"no such run"}`)
			return
		}
		sse(w) // a stream that never gets anywhere
	}))
	defer ts.Close()
	c := client.New(ts.URL, "")
	for _, err := range c.Events(context.Background(), "gone", 0) {
		if !client.IsNotFound(err) || !strings.Contains(err.Error(), "no such run") {
			t.Fatalf("err = %v, want the server's 404", err)
		}
	}
	calls = 0
	var last error
	for _, err := range c.Events(context.Background(), "stuck", 0) {
		last = err
	}
	if last == nil || !strings.Contains(last.Error(), "ended before the run did") || calls != client.MaxReconnects+1 {
		t.Fatalf("err = %v after %d connections, want a give-up after %d", last, calls, client.MaxReconnects+1)
	}
}

func TestEventsEndWhenResumedAfterTheEnd(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/events") {
			sse(w) // resumed after the final event: nothing follows
			return
		}
		fmt.Fprint(w, `{"id":"run_1","status":"exited","exit_code":0}`)
	}))
	defer ts.Close()
	for _, err := range client.New(ts.URL, "").Events(context.Background(), "run_1", 7) {
		t.Fatalf("got %v, want the stream to end quietly", err)
	}
}

func TestClientAgainstServer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "aios.toml")
	if err := os.WriteFile(path, []byte("data_dir = \""+filepath.Join(dir, "data")+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sys, err := aios.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(context.Background())
	srv := server.New(sys, server.Options{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	wasm, err := os.ReadFile(filepath.Join("..", "testdata", "minimal.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(ts.URL+"/", "")
	ctx := context.Background()
	if err := c.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	run, err := c.Submit(ctx, client.RunRequest{Module: wasm, Name: "minimal"})
	if err != nil {
		t.Fatal(err)
	}
	var final client.Event
	for e, err := range c.Events(ctx, run.ID, 0) {
		if err != nil {
			t.Fatal(err)
		}
		final = e
	}
	if final.Status != client.StatusExited || final.ExitCode == nil || *final.ExitCode != 0 {
		t.Fatalf("final event %+v, want exited 0", final)
	}
	out, err := c.Output(ctx, run.ID)
	if err != nil || string(out) != "hello from wasm" {
		t.Fatalf("output %q, %v", out, err)
	}
	got, err := c.Run(ctx, run.ID)
	if err != nil || got.Status != client.StatusExited || got.Name != "minimal" {
		t.Fatalf("run %+v, %v", got, err)
	}
	if _, err := c.Run(ctx, "run_nope"); !client.IsNotFound(err) {
		t.Fatalf("unknown run: %v, want 404", err)
	}
	if _, err := c.Submit(ctx, client.RunRequest{}); err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "module: required") {
		t.Fatalf("empty request: %v, want 400 naming the module", err)
	}
}
