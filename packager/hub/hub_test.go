package hub_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios/packager/hub"
	"github.com/aiosys/aios/packager/hub/hubtest"
)

func request(t *testing.T, method, url, user, pass string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestPushNeedsAuthentication(t *testing.T) {
	h := hubtest.Start(t, "", true)
	upload := "http://" + h.Addr() + "/v2/agents/demo/blobs/uploads/"
	resp := request(t, http.MethodPost, upload, "", "")
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("anonymous push: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if resp := request(t, http.MethodPost, upload, hubtest.User, "wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	if resp := request(t, http.MethodPost, upload, hubtest.User, hubtest.Password); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("authenticated push: %d", resp.StatusCode)
	}
}

func TestAnonymousPullConfigurable(t *testing.T) {
	for _, anon := range []bool{true, false} {
		h := hubtest.Start(t, "", anon)
		base := "http://" + h.Addr() + "/v2/"
		want := http.StatusUnauthorized
		if anon {
			want = http.StatusOK
		}
		for _, path := range []string{"", "_catalog", "agents/demo/tags/list"} {
			got := request(t, http.MethodGet, base+path, "", "").StatusCode
			if path == "agents/demo/tags/list" && anon {
				want = http.StatusNotFound // allowed, but nothing is there
			}
			if got != want {
				t.Errorf("anonymous=%v GET /v2/%s: %d, want %d", anon, path, got, want)
			}
		}
		if got := request(t, http.MethodGet, base+"_catalog", hubtest.User, "wrong").StatusCode; got != http.StatusUnauthorized {
			t.Errorf("anonymous=%v wrong credentials still read: %d", anon, got)
		}
		if got := request(t, http.MethodGet, base+"_catalog", hubtest.User, hubtest.Password).StatusCode; got != http.StatusOK {
			t.Errorf("anonymous=%v authenticated read: %d", anon, got)
		}
	}
}

func TestNewRefusesUnsafeConfig(t *testing.T) {
	dir := t.TempDir()
	htpasswd := filepath.Join(dir, "htpasswd")
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := hub.AddUser(htpasswd, "u", "p"); err != nil {
		t.Fatal(err)
	}
	cases := map[string]hub.Config{
		"no root":          {Addr: "127.0.0.1:0", Htpasswd: htpasswd},
		"no htpasswd":      {Addr: "127.0.0.1:0", Root: dir},
		"missing htpasswd": {Addr: "127.0.0.1:0", Root: dir, Htpasswd: filepath.Join(dir, "none")},
		"no users":         {Addr: "127.0.0.1:0", Root: dir, Htpasswd: empty},
		"half TLS":         {Addr: "127.0.0.1:0", Root: dir, Htpasswd: htpasswd, TLSCert: "c.pem"},
		"plain HTTP wide":  {Addr: "0.0.0.0:0", Root: dir, Htpasswd: htpasswd},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			if h, err := hub.New(context.Background(), cfg); err == nil {
				h.Shutdown(context.Background())
				t.Fatal("New accepted the configuration")
			}
		})
	}
}

func TestAddUser(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "htpasswd")
	for _, u := range []struct{ user, pass string }{{"a", "1"}, {"b", "2"}, {"a", "3"}} {
		if err := hub.AddUser(path, u.user, u.pass); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "b:$2") || !strings.HasPrefix(lines[1], "a:$2") {
		t.Fatalf("htpasswd:\n%s", data)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", info.Mode())
	}
	for _, bad := range []struct{ user, pass string }{{"", "x"}, {"a:b", "x"}, {"a\nb", "x"}, {"a", ""}} {
		if err := hub.AddUser(path, bad.user, bad.pass); err == nil {
			t.Errorf("AddUser(%q, %q) accepted", bad.user, bad.pass)
		}
	}
}
