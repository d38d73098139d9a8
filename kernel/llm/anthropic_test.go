package llm

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func newTestAnthropic(t *testing.T, cfg CoreConfig, key string) *anthropicCore {
	t.Helper()
	cfg.Kind = KindAnthropic
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := newAnthropic(cfg, key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAnthropicGenerate(t *testing.T) {
	f := startFakeAnthropic(t, 0, "sk-ant-configured")
	// Ambient Anthropic settings must not redirect a configured core or add credentials.
	t.Setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:1")
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-ambient")
	t.Setenv("ANTHROPIC_AUTH_TOKEN", "ambient-token")
	c := newTestAnthropic(t, CoreConfig{Name: "claude", BaseURL: f.url, Models: []string{fakeAnthropicModel}}, "sk-ant-configured")
	temp := 0.5
	req := Request{Temperature: &temp, Messages: []Message{
		{Role: "system", Content: "be brief"},
		{Role: "user", Content: "first question"},
		{Role: "assistant", Content: "first answer"},
		{Role: "system", Content: "and kind"},
		{Role: "user", Content: "hello there world"},
	}}
	wantUsage := Usage{InputTokens: countMessageWords(req.Messages) + fakeAnthropicOverhead + 1 + 2, OutputTokens: 3}

	plain, err := c.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	want := Response{Text: "hello there world", FinishReason: "stop", Model: fakeAnthropicModel, Core: "claude", Usage: wantUsage}
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
	if len(requests) != 2 || requests[0].Stream || !requests[1].Stream {
		t.Fatalf("requests %+v, want one plain and one streamed", requests)
	}
	for i, r := range requests {
		if len(r.System) != 2 || r.System[0].Text != "be brief" || r.System[1].Text != "and kind" {
			t.Errorf("request %d: system %+v, want both system messages in order", i, r.System)
		}
		if len(r.Messages) != 3 || r.Messages[0].Role != "user" || r.Messages[1].Role != "assistant" {
			t.Errorf("request %d: messages %+v", i, r.Messages)
		}
		if *r.MaxTokens != DefaultAnthropicMaxTokens || r.Temperature == nil || *r.Temperature != 0.5 {
			t.Errorf("request %d: max_tokens %d, temperature %v", i, *r.MaxTokens, r.Temperature)
		}
		h := headers[i]
		if h.Get("x-api-key") != "sk-ant-configured" || h.Get("Authorization") != "" {
			t.Errorf("request %d: x-api-key %q, Authorization %q", i, h.Get("x-api-key"), h.Get("Authorization"))
		}
	}
}

func TestAnthropicMaxTokens(t *testing.T) {
	t.Parallel()
	f := startFakeAnthropic(t, 0, "")
	c := newTestAnthropic(t, CoreConfig{BaseURL: f.url, Models: []string{fakeAnthropicModel}}, "")
	long := Request{Messages: []Message{{Role: "user", Content: words(20)}}, MaxTokens: 3}
	for _, onChunk := range []func(Chunk){nil, func(Chunk) {}} {
		resp, err := c.Generate(context.Background(), long, onChunk)
		if err != nil || resp.FinishReason != "length" || resp.Text != "word word word " || resp.Usage.OutputTokens != 3 {
			t.Errorf("streamed %v: got %+v, %v; want three words, finish reason length", onChunk != nil, resp, err)
		}
	}
}

func TestAnthropicLongBlockingRequestStreams(t *testing.T) {
	t.Parallel()
	f := startFakeAnthropic(t, 0, "")
	c := newTestAnthropic(t, CoreConfig{BaseURL: f.url, Models: []string{fakeAnthropicModel}}, "")
	req := Request{Messages: []Message{{Role: "user", Content: "a long answer"}}}
	for _, maxTokens := range []int{4096, 64000} {
		req.MaxTokens = maxTokens
		resp, err := c.Generate(context.Background(), req, nil)
		if err != nil || resp.Text != "a long answer" || resp.Usage.OutputTokens != 3 {
			t.Fatalf("max_tokens %d: %+v, %v", maxTokens, resp, err)
		}
	}
	requests, _ := f.seen()
	if len(requests) != 2 || requests[0].Stream || !requests[1].Stream {
		t.Errorf("stream flags %v, %v; want a plain request for 4096 tokens and a stream for 64000",
			requests[0].Stream, requests[1].Stream)
	}
}

func TestAnthropicNoKeySendsNone(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-ambient")
	f := startFakeAnthropic(t, 0, "")
	c := newTestAnthropic(t, CoreConfig{BaseURL: f.url, Models: []string{fakeAnthropicModel}}, "")
	if _, err := c.Generate(context.Background(), Request{Messages: []Message{{Role: "user", Content: "hi"}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, headers := f.seen(); len(headers) != 1 || headers[0].Get("x-api-key") != "" || headers[0].Get("Authorization") != "" {
		t.Errorf("a core without a key sent headers %v", headers)
	}
}

func TestAnthropicErrors(t *testing.T) {
	t.Parallel()
	f := startFakeAnthropic(t, 0, "sk-ant-right")
	c := newTestAnthropic(t, CoreConfig{BaseURL: f.url}, "sk-ant-right")
	hot := 1.5
	tests := []struct {
		name      string
		req       Request
		key       string
		status    int
		after     time.Duration
		temporary bool
		is        error
		says      string
	}{
		{"rate limited", Request{Model: "status-429"}, "", 429, 2 * time.Second, true, nil, "rate_limit_error: Number of requests"},
		{"server error", Request{Model: "status-500"}, "", 500, 0, true, nil, "api_error: Internal server error"},
		{"bad request", Request{Model: fakeAnthropicModel, Temperature: &hot}, "", 400, 0, false, ErrBadRequest, "temperature: range: 0..1"},
		{"unknown model", Request{Model: "nope"}, "", 404, 0, false, ErrNoModel, "model: nope"},
		{"wrong key", Request{Model: fakeAnthropicModel}, "sk-ant-wrong", 401, 0, false, nil, "authentication_error"},
		{"error event", Request{Model: "overloaded-in-stream"}, "", 529, 0, true, nil, "overloaded_error: Overloaded (sent as an error event in the stream)"},
	}
	for _, tt := range tests {
		core := c
		if tt.key != "" {
			core = newTestAnthropic(t, CoreConfig{BaseURL: f.url}, tt.key)
		}
		tt.req.Messages = []Message{{Role: "user", Content: "two words"}}
		for _, onChunk := range []func(Chunk){nil, func(Chunk) {}} {
			if tt.name == "error event" && onChunk == nil {
				continue
			}
			_, err := core.Generate(context.Background(), tt.req, onChunk)
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

func TestAnthropicStreamCutShort(t *testing.T) {
	t.Parallel()
	f := startFakeAnthropic(t, 0, "")
	c := newTestAnthropic(t, CoreConfig{BaseURL: f.url}, "")
	req := Request{Model: "cut-short", Messages: []Message{{Role: "user", Content: "three more words"}}}
	_, err := c.Generate(context.Background(), req, func(Chunk) {})
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "before message_stop") {
		t.Errorf("err = %v, want io.ErrUnexpectedEOF naming message_stop", err)
	}
}

func TestAnthropicRequestChecks(t *testing.T) {
	f := startFakeAnthropic(t, 0, "")
	c := newTestAnthropic(t, CoreConfig{BaseURL: f.url, Models: []string{fakeAnthropicModel}}, "")
	onlySystem := Request{Messages: []Message{{Role: "system", Content: "x"}}}
	if _, err := c.Generate(context.Background(), onlySystem, nil); !errors.Is(err, ErrBadRequest) {
		t.Errorf("only system messages: err = %v, want ErrBadRequest", err)
	}
	if requests, _ := f.seen(); len(requests) != 0 {
		t.Errorf("%d requests reached the backend", len(requests))
	}
}
