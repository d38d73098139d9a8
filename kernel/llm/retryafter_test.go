package llm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		headers map[string]string
		want    time.Duration
	}{
		{"none", nil, 0},
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"fractional seconds", map[string]string{"Retry-After": "0.5"}, 500 * time.Millisecond},
		{"http date", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{"date in the past", map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0},
		{"milliseconds first", map[string]string{"Retry-After-Ms": "250", "Retry-After": "1"}, 250 * time.Millisecond},
		{"bad milliseconds", map[string]string{"Retry-After-Ms": "soon", "Retry-After": "1"}, time.Second},
		{"garbage", map[string]string{"Retry-After": "later"}, 0},
		{"negative", map[string]string{"Retry-After": "-3"}, 0},
		{"beyond an hour", map[string]string{"Retry-After": "86400"}, 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.headers {
			h.Set(k, v)
		}
		if got := retryAfter(h, now); got != tt.want {
			t.Errorf("%s: retryAfter = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestOpenAIRetryAfter checks the openai core's rate-limit answer against a fake that answers
// every request with 429, as an OpenAI-compatible server does when rate limited.
func TestOpenAIRetryAfter(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "4")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]string{
			"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}})
	}))
	t.Cleanup(srv.Close)
	c := newTestOpenAI(t, CoreConfig{BaseURL: srv.URL + "/v1", Models: []string{"m"}}, "", nil)
	_, err := c.Generate(context.Background(), Request{Messages: []Message{{Role: "user", Content: "x"}}}, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.HTTPStatus() != http.StatusTooManyRequests || se.RetryAfter() != 4*time.Second || !se.Temporary() {
		t.Fatalf("err = %v, want a temporary 429 asking for 4s", err)
	}
	if want := "backend answered HTTP 429 Too Many Requests: Rate limit reached (retry after 4s)"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}
