package mcp

import (
	"strings"
	"testing"
	"time"
)

func TestConfigErrorsNameWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Command: []string{"x"}}, "no name"},
		{Config{Name: "a"}, "needs a command or a url"},
		{Config{Name: "a", Command: []string{"x"}, URL: "http://h/"}, "both"},
		{Config{Name: "a", Command: []string{""}}, "empty program"},
		{Config{Name: "a", Command: []string{"x", "a\x00b"}}, "NUL"},
		{Config{Name: "a", Command: []string{"x"}, Env: []string{"NOEQUALS"}}, "KEY=VALUE"},
		{Config{Name: "a", Command: []string{"x"}, Env: []string{"=v"}}, "KEY=VALUE"},
		{Config{Name: "a", URL: "ftp://h/"}, "not an http"},
		{Config{Name: "a", URL: "http://"}, "not an http"},
		{Config{Name: "a", URL: "http://h/%zz"}, "url"},
		{Config{Name: "a", URL: "http://h/", StartTimeout: -time.Second}, "negative"},
		{Config{Name: "a", URL: "http://h/", MaxMessageBytes: -1}, "negative"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error saying %q", tc.cfg, err, tc.want)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := Config{Name: "a", URL: "https://example.com/mcp"}.check()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StartTimeout != defaultStartTimeout || cfg.MaxMessageBytes != defaultMaxMessageBytes {
		t.Errorf("defaults = %v, %d", cfg.StartTimeout, cfg.MaxMessageBytes)
	}
}

func TestBackoffDoublesToItsCap(t *testing.T) {
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	for _, n := range []int{10, 1000, 1 << 40} {
		if got := backoff(n); got != maxBackoff {
			t.Errorf("backoff(%d) = %v, want %v", n, got, maxBackoff)
		}
	}
}

func TestRingKeepsTheEnd(t *testing.T) {
	r := newRing(8)
	r.Write([]byte("abc"))
	if got := string(r.tail(100)); got != "abc" {
		t.Errorf("tail = %q", got)
	}
	r.Write([]byte("defgh"))
	r.Write([]byte("ij"))
	if got := string(r.tail(100)); got != "cdefghij" {
		t.Errorf("tail = %q, want cdefghij", got)
	}
	r.Write([]byte(strings.Repeat("z", 20) + "END"))
	if got := string(r.tail(5)); got != "zzEND" {
		t.Errorf("tail(5) = %q, want zzEND", got)
	}
}
