package llm

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/internal/simtest"
)

func TestContextWindowFromSimulator(t *testing.T) {
	base := simtest.Start(t) // the simulator's default context: 1024 tokens
	c, err := New(CoreConfig{Name: "sim", Kind: KindOpenAI, BaseURL: base, Models: []string{simtest.Model}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ContextWindow(context.Background(), c, simtest.Model); got != 1024 {
		t.Errorf("window of %s = %d, want the simulator's 1024", simtest.Model, got)
	}
	if got := ContextWindow(context.Background(), c, ""); got != 1024 {
		t.Errorf("window of the core's default model = %d, want 1024", got)
	}
	if got := ContextWindow(context.Background(), c, "unlisted"); got != 0 {
		t.Errorf("window of a model the server does not list = %d, want 0 (unknown)", got)
	}
}

// modelsServer answers GET /v1/models with body and counts the requests.
func modelsServer(t *testing.T, body string) (string, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/models" {
			http.NotFound(w, r)
			return
		}
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1", &n
}

func TestContextWindowConfigAndServer(t *testing.T) {
	reportsNone := `{"object":"list","data":[{"id":"m","object":"model","created":0,"owned_by":"x"}]}`
	reports := `{"object":"list","data":[{"id":"m","object":"model","created":0,"owned_by":"x","max_model_len":4096}]}`
	garbage := `{"object":"list","data":[{"id":"m","object":"model","created":0,"owned_by":"x","max_model_len":"lots"}]}`
	for _, tc := range []struct {
		name       string
		body       string
		configured int
		want       int
	}{
		{"server reports none, config honoured", reportsNone, 2000, 2000},
		{"server reports none, no config", reportsNone, 0, 0},
		{"server reports, no config", reports, 0, 4096},
		{"the smaller of server and config", reports, 1000, 1000},
		{"a larger config cannot raise the server's", reports, 9000, 4096},
		{"malformed answer falls back to config", garbage, 700, 700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, asked := modelsServer(t, tc.body)
			c, err := New(CoreConfig{Kind: KindOpenAI, BaseURL: base, Models: []string{"m"}, ContextWindow: tc.configured})
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if got := ContextWindow(context.Background(), c, "m"); got != tc.want {
					t.Fatalf("window = %d, want %d", got, tc.want)
				}
			}
			if tc.body != garbage && asked.Load() != 1 {
				t.Errorf("the server was asked %d times, want once", asked.Load())
			}
		})
	}
}

// closedURL returns an http:// URL on a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestContextWindowUnreachableFallsBackToConfig(t *testing.T) {
	c, err := New(CoreConfig{Kind: KindOpenAI, BaseURL: closedURL(t) + "/v1", Models: []string{"m"}, ContextWindow: 512})
	if err != nil {
		t.Fatal(err)
	}
	if got := ContextWindow(context.Background(), c, "m"); got != 512 {
		t.Errorf("window with the server down = %d, want the configured 512", got)
	}
}

func TestContextWindowCallerGivesUp(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c, err := New(CoreConfig{Kind: KindOpenAI, BaseURL: srv.URL + "/v1", Models: []string{"m"}, ContextWindow: 300})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := ContextWindow(ctx, c, "m"); got != 300 {
		t.Errorf("window for a caller that gave up = %d, want the configured 300", got)
	}
}

func TestOllamaContextWindow(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/show" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"model_info":{"general.architecture":"llama","llama.context_length":8192}}`)
	}))
	t.Cleanup(srv.Close)
	c, err := New(CoreConfig{Kind: KindOllama, BaseURL: srv.URL, Models: []string{"llama3"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ContextWindow(context.Background(), c, "llama3"); got != 8192 {
		t.Errorf("window = %d, want show's llama.context_length 8192", got)
	}
}

func TestProbeAll(t *testing.T) {
	// Any HTTP answer, even a refusal, means the backend is there.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no key", http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	up, err := New(CoreConfig{Name: "up", Kind: KindOpenAI, BaseURL: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	dead := closedURL(t)
	down, err := New(CoreConfig{Name: "down", Kind: KindOllama, BaseURL: dead})
	if err != nil {
		t.Fatal(err)
	}
	echo, err := New(CoreConfig{Kind: KindEcho})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got := ProbeAll(context.Background(), []Core{up, down, echo}, 2*time.Second)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("probing took %s", d)
	}
	if got[0].Core != "up" || got[0].Err != nil || got[0].URL != srv.URL+"/v1/models" {
		t.Errorf("up: %+v", got[0])
	}
	if got[1].Core != "down" || got[1].Err == nil || got[1].URL != dead+"/api/version" ||
		!strings.Contains(got[1].Err.Error(), "refused") {
		t.Errorf("down: %+v, want a refused connection", got[1])
	}
	if got[2].Core != "echo" || got[2].Err != nil || got[2].URL != "" {
		t.Errorf("echo: %+v, want always reachable", got[2])
	}
}
