package kernelbench

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRateLimiterSlidingMinute(t *testing.T) {
	l := NewRateLimiter(&url.URL{Scheme: "http", Host: "127.0.0.1:1"}, 2)
	t0 := time.Unix(0, 0)
	for i, c := range []struct {
		at   time.Duration
		ok   bool
		wait time.Duration
	}{
		{0, true, 0},
		{10 * time.Second, true, 0},
		{20 * time.Second, false, 40 * time.Second},
		{60 * time.Second, true, 0}, // the first has left the window
		{65 * time.Second, false, 5 * time.Second},
	} {
		wait, ok := l.admit(t0.Add(c.at))
		if ok != c.ok || wait != c.wait {
			t.Errorf("request %d at %v: admitted %v, wait %v; want %v, %v", i, c.at, ok, wait, c.ok, c.wait)
		}
	}
	if a, r := l.Counts(); a != 3 || r != 2 {
		t.Errorf("counts %d admitted, %d refused; want 3, 2", a, r)
	}
}

func TestRateLimiterProxiesAndRefuses(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("upstream " + r.URL.Path))
	}))
	defer upstream.Close()
	u, err := url.Parse(upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(NewRateLimiter(u, 1))
	defer proxy.Close()
	post := func() *http.Response {
		resp, err := http.Post(proxy.URL+"/v1/chat/completions", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(); resp.StatusCode != http.StatusOK {
		t.Fatalf("first request: status %d, want 200", resp.StatusCode)
	}
	resp := post()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("second request: status %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	get, err := http.Get(proxy.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	if get.StatusCode != http.StatusOK {
		t.Errorf("model listing: status %d, want 200 (not rate limited)", get.StatusCode)
	}
}
