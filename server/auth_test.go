package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aiosys/aios/client"
)

// twoTenants returns a server with tenants alice and bob and their tokens.
func twoTenants(t *testing.T, extraTOML string, files map[string]string, opts Options) (s *testServer, alice, bob string) {
	t.Helper()
	alice, aliceLine, err := NewToken("alice")
	if err != nil {
		t.Fatal(err)
	}
	bob, bobLine, err := NewToken("bob")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := ParseTokens(strings.NewReader("# tenants\n" + aliceLine + "\n\n" + bobLine + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Tokens = tokens
	return newTestServer(t, extraTOML, files, opts), alice, bob
}

func TestTokenRequiredAndChecked(t *testing.T) {
	s, alice, _ := twoTenants(t, "", nil, Options{})
	for _, tc := range []struct{ name, header string }{
		{"no header", ""},
		{"wrong token", "Bearer aios_0000"},
		{"not bearer", "Basic YWxpY2U6eA=="},
		{"empty bearer", "Bearer "},
		{"bearer without a token", "Bearer"},
		{"spaces for a token", "Bearer    "},
		{"the token and more", "Bearer " + alice + " " + alice},
		{"a tab for the space", "Bearer\t" + alice},
		{"an 8 KiB token", "Bearer " + strings.Repeat("x", 8<<10)},
		{"invalid UTF-8", "Bearer \xff\xfe"},
	} {
		req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/v1/runs", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := s.http().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d %q, want 401 with a Bearer challenge", tc.name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
	if _, err := s.client(alice).Runs(context.Background()); err != nil {
		t.Fatalf("alice's token: %v", err)
	}
	// The scheme is case-insensitive (RFC 9110, section 11.1).
	req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/v1/runs", nil)
	req.Header.Set("Authorization", "bEARER "+alice)
	if resp, err := s.http().Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("bEARER and alice's token: %v %v, want 200", resp, err)
	} else {
		resp.Body.Close()
	}
	resp, err := s.http().Get(s.ts.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz without a token: %v %v, want 200", resp, err)
	}
	resp.Body.Close()
}

func TestTenantSeesOnlyItsOwnRuns(t *testing.T) {
	s, alice, bob := twoTenants(t, "", nil, Options{})
	a, b := s.client(alice), s.client(bob)
	ctx := context.Background()
	run := submit(t, a, "loop", "")
	if run.Tenant != "alice" {
		t.Fatalf("run tenant = %q, want alice", run.Tenant)
	}
	check := func(what string, err error) {
		t.Helper()
		if !client.IsNotFound(err) {
			t.Errorf("bob %s alice's run: %v, want 404", what, err)
		}
	}
	_, err := b.Run(ctx, run.ID)
	check("gets", err)
	_, err = b.Output(ctx, run.ID)
	check("reads the output of", err)
	_, err = b.Cancel(ctx, run.ID)
	check("cancels", err)
	for _, err := range b.Events(ctx, run.ID, 0) {
		check("streams", err)
		break
	}
	if runs, err := b.Runs(ctx); err != nil || len(runs) != 0 {
		t.Fatalf("bob's runs = %+v, %v; want none", runs, err)
	}
	if u, err := b.Usage(ctx); err != nil || u.Runs != 0 || u.Tenant != "bob" {
		t.Fatalf("bob's usage = %+v, %v", u, err)
	}
	if got, err := a.Run(ctx, run.ID); err != nil || got.Status != client.StatusRunning {
		t.Fatalf("alice's run after bob's tries = %+v, %v; want it still running", got, err)
	}
	if _, err := a.Cancel(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	waitFinal(t, a, run.ID)
}

func TestParseTokensRefusesBadLines(t *testing.T) {
	good := "alice:" + HashToken("x")
	for _, tc := range []struct{ name, file, want string }{
		{"no colon", "alice\n", "line 1"},
		{"bad tenant", "al ice:" + HashToken("x") + "\n", "tenant"},
		{"not a digest", "#c\nalice:abc\n", "line 2"},
		{"same token twice", good + "\nbob:" + HashToken("x") + "\n", "same token"},
	} {
		if _, err := ParseTokens(strings.NewReader(tc.file)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
	toks, err := ParseTokens(strings.NewReader(good + "\n"))
	if err != nil || toks.Len() != 1 {
		t.Fatalf("%v %v", toks, err)
	}
	if tenant, ok := toks.Tenant("x"); !ok || tenant != "alice" {
		t.Fatalf("Tenant(x) = %q %v", tenant, ok)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7420": true, "[::1]:7420": true, "localhost:1": true, "127.1.2.3:0": true,
		":7420": false, "0.0.0.0:7420": false, "[::]:1": false, "10.0.0.1:80": false, "example.com:80": false, "nonsense": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
