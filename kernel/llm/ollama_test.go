package llm

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func newTestOllama(t *testing.T, cfg CoreConfig, key string) *ollamaCore {
	t.Helper()
	cfg.Kind = KindOllama
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := newOllama(cfg, key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOllamaGenerate(t *testing.T) {
	t.Parallel()
	f := startFakeOllama(t, 0)
	c := newTestOllama(t, CoreConfig{Name: "local", BaseURL: f.url, Models: []string{fakeOllamaModel}}, "")
	temp := 0.25
	req := Request{Temperature: &temp, Messages: []Message{
		{Role: "system", Content: "be brief"},
		{Role: "user", Content: "hello there world"},
	}}
	want := Response{Text: "hello there world", FinishReason: "stop", Model: fakeOllamaModel, Core: "local",
		Usage: Usage{InputTokens: countMessageWords(req.Messages) + fakeOllamaOverhead, OutputTokens: 3}}

	plain, err := c.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	if !reflect.DeepEqual(plain, want) {
		t.Errorf("generate: %+v, want %+v", plain, want)
	}
	var chunks []string
	streamed, err := c.Generate(context.Background(), req, func(ch Chunk) { chunks = append(chunks, ch.Text) })
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	if !reflect.DeepEqual(streamed, want) || strings.Join(chunks, "") != want.Text || len(chunks) != 3 {
		t.Errorf("stream: %+v in chunks %q, want %+v", streamed, chunks, want)
	}

	requests, headers := f.seen()
	if len(requests) != 2 || requests[0].Stream == nil || *requests[0].Stream || requests[1].Stream == nil || !*requests[1].Stream {
		t.Fatalf("requests %+v, want one with stream false and one with stream true", requests)
	}
	for i, r := range requests {
		if len(r.Messages) != 2 || !reflect.DeepEqual(r.plain(), req.Messages[:2]) {
			t.Errorf("request %d: messages %+v", i, r.Messages)
		}
		if r.Options["temperature"] != 0.25 {
			t.Errorf("request %d: options %v, want temperature 0.25", i, r.Options)
		}
		if _, ok := r.Options["num_predict"]; ok {
			t.Errorf("request %d: num_predict sent for a request without max_tokens", i)
		}
		if a := headers[i].Get("Authorization"); a != "" {
			t.Errorf("request %d: Authorization %q sent by a core without a key", i, a)
		}
	}
}

func TestOllamaMaxTokens(t *testing.T) {
	t.Parallel()
	f := startFakeOllama(t, 0)
	c := newTestOllama(t, CoreConfig{BaseURL: f.url, Models: []string{fakeOllamaModel}}, "")
	long := Request{Messages: []Message{{Role: "user", Content: words(20)}}, MaxTokens: 3}
	for _, onChunk := range []func(Chunk){nil, func(Chunk) {}} {
		resp, err := c.Generate(context.Background(), long, onChunk)
		if err != nil || resp.FinishReason != "length" || resp.Text != "word word word " || resp.Usage.OutputTokens != 3 {
			t.Errorf("streamed %v: got %+v, %v; want three words, finish reason length", onChunk != nil, resp, err)
		}
	}
	if requests, _ := f.seen(); requests[0].Options["num_predict"] != 3.0 {
		t.Errorf("options %v, want num_predict 3", requests[0].Options)
	}
}

// TestOllamaCredentials checks that only the configured key reaches the server, even when the
// environment makes Ollama's api package sign requests with the user's own key.
func TestOllamaCredentials(t *testing.T) {
	home := t.TempDir()
	writeOllamaKey(t, home)
	t.Setenv("HOME", home)
	t.Setenv("OLLAMA_AUTH", "true")
	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:1")
	f := startFakeOllama(t, 0)
	req := Request{Messages: []Message{{Role: "user", Content: "hi"}}}
	for _, key := range []string{"", "ollama-configured"} {
		c := newTestOllama(t, CoreConfig{BaseURL: f.url, Models: []string{fakeOllamaModel}}, key)
		if _, err := c.Generate(context.Background(), req, nil); err != nil {
			t.Fatalf("key %q: %v", key, err)
		}
	}
	_, headers := f.seen()
	if len(headers) != 2 || headers[0].Get("Authorization") != "" || headers[1].Get("Authorization") != "Bearer ollama-configured" {
		t.Errorf("Authorization headers %q, %q; want none, then the configured key",
			headers[0].Get("Authorization"), headers[1].Get("Authorization"))
	}
}

// writeOllamaKey writes the private key Ollama keeps in ~/.ollama/id_ed25519.
func writeOllamaKey(t *testing.T, home string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, ".ollama")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "id_ed25519"), pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOllamaErrors(t *testing.T) {
	t.Parallel()
	f := startFakeOllama(t, 0)
	c := newTestOllama(t, CoreConfig{BaseURL: f.url}, "")
	tests := []struct {
		name      string
		model     string
		status    int
		after     time.Duration
		temporary bool
		is        error
		says      string
	}{
		{"bad request", "status-400", 400, 0, false, ErrBadRequest, "invalid message format"},
		{"rate limited", "status-429", 429, 3 * time.Second, true, nil, "server busy"},
		{"server error", "status-500", 500, 0, true, nil, "llama runner process has terminated"},
		{"empty body", "empty-503", 503, time.Second, true, nil, "HTTP 503 Service Unavailable"},
		{"unknown model", "nope", 404, 0, false, ErrNoModel, `model "nope" not found`},
		{"error in stream", "error-in-stream", 500, 0, true, nil, "error in the response stream: an error was encountered"},
	}
	for _, tt := range tests {
		req := Request{Model: tt.model, Messages: []Message{{Role: "user", Content: "two words"}}}
		for _, onChunk := range []func(Chunk){nil, func(Chunk) {}} {
			if tt.model == "error-in-stream" && onChunk == nil {
				continue
			}
			_, err := c.Generate(context.Background(), req, onChunk)
			var se *StatusError
			if !errors.As(err, &se) {
				t.Errorf("%s (streamed %v): err = %v, want a StatusError", tt.name, onChunk != nil, err)
				continue
			}
			if se.HTTPStatus() != tt.status || se.RetryAfter() != tt.after || se.Temporary() != tt.temporary ||
				!strings.Contains(err.Error(), tt.says) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Errorf("%s (streamed %v): %v (status %d, after %s, temporary %v)", tt.name, onChunk != nil, err,
					se.Status, se.After, se.Temporary())
			}
		}
	}
}

func TestOllamaStreamCutShort(t *testing.T) {
	t.Parallel()
	f := startFakeOllama(t, 0)
	c := newTestOllama(t, CoreConfig{BaseURL: f.url}, "")
	req := Request{Model: "cut-short", Messages: []Message{{Role: "user", Content: "three more words"}}}
	resp, err := c.Generate(context.Background(), req, func(Chunk) {})
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "before its final (done) object") {
		t.Errorf("err = %v, want io.ErrUnexpectedEOF naming the done object", err)
	}
	if !reflect.DeepEqual(resp, Response{}) {
		t.Errorf("a failed generation returned %+v", resp)
	}
}

func TestOllamaDefaultBaseURL(t *testing.T) {
	c := newTestOllama(t, CoreConfig{}, "")
	if got := c.base.String(); got != DefaultOllamaBaseURL {
		t.Errorf("base URL %q, want %q", got, DefaultOllamaBaseURL)
	}
}
