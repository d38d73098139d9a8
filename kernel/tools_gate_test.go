package kernel_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/storage"
	"github.com/aiosys/aios/kernel/tools"
	"github.com/aiosys/aios/policy"
)

// wipe is a destructive tool (as an MCP server would mark one) that counts its calls.
type wipe struct{ calls int }

func (w *wipe) Tools(context.Context) ([]tools.Info, error) {
	return []tools.Info{{Tool: tools.Tool{Name: "wipe", Parameters: json.RawMessage(`{"type":"object"}`)},
		Kind: tools.KindMCP, Source: "ops", Destructive: true}}, nil
}

func (w *wipe) Call(context.Context, string, json.RawMessage, int64) (tools.Result, error) {
	w.calls++
	return tools.Result{Content: "wiped", Bytes: 5}, nil
}

func (w *wipe) Close() error { return nil }

// toolKernel is a gated kernel with http_fetch (allowed to reach the loopback server srv) and
// the destructive wipe tool, under grants.
func toolKernel(t *testing.T, srv *httptest.Server, grants []policy.Grant) (*gated, *wipe) {
	t.Helper()
	fetch, err := tools.NewHTTPFetch(tools.HTTPFetchConfig{AllowHosts: []string{"*"},
		AllowAddresses: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if err != nil {
		t.Fatal(err)
	}
	w := &wipe{}
	m, err := tools.New([]tools.Source{fetch, w}, tools.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return newGated(t, policy.Config{Grants: grants}, kernel.GateConfig{}, "", kernel.WithTools(m)), w
}

// toolAgent declares both tools and any host.
var toolAgent = policy.Agent{Name: "worker", Version: "1.0.0",
	Capabilities: policy.Capabilities{Tools: []string{"http_fetch", "wipe"}, Hosts: []string{"*"}}}

func TestToolCallsAreDecidedByPolicy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "pong") }))
	defer srv.Close()
	host := mustHost(t, srv.URL)
	g, w := toolKernel(t, srv, []policy.Grant{{Agent: "worker", Capabilities: policy.Capabilities{
		Tools: []string{"http_fetch"}, Hosts: []string{host}}}})
	p, err := g.k.Spawn(kernel.Spec{Name: "worker", Agent: toolAgent})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	list, err := p.ToolList(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "http_fetch" {
		t.Fatalf("ToolList = %v, %v; want only the granted http_fetch", list, err)
	}
	res, err := p.ToolCall(ctx, "http_fetch", json.RawMessage(`{"url":"`+srv.URL+`"}`))
	if err != nil || !strings.Contains(res.Content, "pong") {
		t.Fatalf("granted fetch = %+v, %v", res, err)
	}
	if _, err := p.ToolCall(ctx, "wipe", json.RawMessage(`{}`)); !errors.Is(err, kernel.ErrDenied) || w.calls != 0 {
		t.Fatalf("ungranted tool: %v (ran %d times)", err, w.calls)
	}
	// The host policy decides on is the URL's, whatever the spelling.
	_, err = p.ToolCall(ctx, "http_fetch", json.RawMessage(`{"url":"http://localhost:1/"}`))
	if !errors.Is(err, kernel.ErrDenied) || !strings.Contains(err.Error(), `host "localhost" is not granted`) {
		t.Fatalf("fetch of an ungranted host: %v", err)
	}
	// Arguments the schema refuses are refused before policy is asked: nothing is recorded.
	before := len(g.entries(t, "tool_call"))
	if _, err := p.ToolCall(ctx, "http_fetch", json.RawMessage(`{"url": 7}`)); !errors.Is(err, tools.ErrInvalidArgs) {
		t.Fatalf("bad arguments: %v", err)
	}
	if _, err := p.ToolCall(ctx, "shell", json.RawMessage(`{}`)); !errors.Is(err, tools.ErrUnknownTool) {
		t.Fatalf("unknown tool: %v", err)
	}
	if after := len(g.entries(t, "tool_call")); after != before {
		t.Fatalf("refused arguments were decided: %d records, then %d", before, after)
	}

	// Every allowed call's outcome is recorded with its duration.
	outcomes := g.entries(t, kernel.OutcomeCall)
	if len(outcomes) != 1 {
		t.Fatalf("%d outcome records, want 1 (the one allowed call): %+v", len(outcomes), outcomes)
	}
	o := outcomes[0]
	if o.Args["tool"] != "http_fetch" || o.Args["outcome"] != "ok" || !o.Allow || o.Args["duration_ns"] == nil {
		t.Fatalf("outcome record = %+v", o)
	}
	if got := p.Info().Usage.ToolCalls; got != 1 {
		t.Fatalf("usage counts %d tool calls, want 1", got)
	}
}

func TestDestructiveToolNeedsConfirmation(t *testing.T) {
	g, w := toolKernel(t, nil, []policy.Grant{{Agent: "*", Capabilities: policy.Capabilities{Tools: []string{"*"}}}})
	ctx := context.Background()
	p, err := g.k.Spawn(kernel.Spec{Name: "worker", Agent: toolAgent})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ToolCall(ctx, "wipe", nil); !errors.Is(err, kernel.ErrDenied) || !strings.Contains(err.Error(), "confirmation") || w.calls != 0 {
		t.Fatalf("destructive tool without a confirmer: %v (ran %d times)", err, w.calls)
	}
	var asked []kernel.Confirmation
	p2, err := g.k.Spawn(kernel.Spec{Name: "worker", Agent: toolAgent, Confirm: func(_ context.Context, c kernel.Confirmation) (bool, error) {
		asked = append(asked, c)
		return true, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := p2.ToolCall(ctx, "wipe", nil); err != nil || res.Content != "wiped" || len(asked) != 1 || asked[0].Args["tool"] != "wipe" {
		t.Fatalf("confirmed destructive call: %+v, %v, asked %+v", res, err, asked)
	}
}

func TestSharedMemoryNeedsAGrant(t *testing.T) {
	store, err := memory.Open(filepath.Join(t.TempDir(), "memory.db"), memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	grants := []policy.Grant{{Agent: "member", Capabilities: policy.Capabilities{Memory: []string{"team"}}}}
	g := newGated(t, policy.Config{Grants: grants}, kernel.GateConfig{}, "", kernel.WithMemory(store, nil))
	ctx := context.Background()
	member, err := g.k.Spawn(kernel.Spec{Name: "member", Agent: policy.Agent{Name: "member", Version: "1",
		Capabilities: policy.Capabilities{Memory: []string{"team"}}}})
	if err != nil {
		t.Fatal(err)
	}
	outsider, err := g.k.Spawn(kernel.Spec{Name: "outsider", Agent: policy.Agent{Name: "outsider", Version: "1",
		Capabilities: policy.Capabilities{Memory: []string{"team"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := member.MemoryAdd(ctx, "team", memory.Entry{Text: "shared plan"}); err != nil {
		t.Fatalf("granted shared space: %v", err)
	}
	if _, err := outsider.MemorySearch(ctx, "team", memory.Query{Text: "plan", K: 5}); !errors.Is(err, kernel.ErrDenied) {
		t.Fatalf("ungranted shared space: %v", err)
	}
	// Each agent's own space needs no grant and holds only its own entries.
	if _, err := outsider.MemoryAdd(ctx, "", memory.Entry{Text: "my plan"}); err != nil {
		t.Fatalf("own space: %v", err)
	}
	hits, err := member.MemorySearch(ctx, "", memory.Query{Text: "plan", K: 5})
	if err != nil || len(hits) != 0 {
		t.Fatalf("member's own space holds %v, %v; want nothing", hits, err)
	}
}

func mustHost(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname()
}

// TestSpacesFollowThePublisher: a signed bundle and an unsigned module of the same name and
// tenant, or two signers' bundles, never share memory or storage.
func TestSpacesFollowThePublisher(t *testing.T) {
	dir := t.TempDir()
	mem, err := memory.Open(filepath.Join(dir, "memory.db"), memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	st, err := storage.Open(context.Background(), filepath.Join(dir, "storage.db"), storage.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k := kernel.New(kernel.Cores{}, kernel.WithMemory(mem, nil), kernel.WithStorage(st))
	ctx := context.Background()
	var procs []*kernel.Process
	for _, pub := range []string{"", "sha256:aaaa", "sha256:bbbb"} {
		p, err := k.Spawn(kernel.Spec{Name: "notes", Tenant: "acme", Agent: policy.Agent{Name: "notes", Publisher: pub}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.StoragePut(ctx, "k", []byte("by "+pub)); err != nil {
			t.Fatal(err)
		}
		if _, err := p.MemoryAdd(ctx, "", memory.Entry{Text: "note by " + pub}); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	for i, p := range procs {
		it, err := p.StorageGet(ctx, "k", 0)
		if err != nil || it.Version != 1 {
			t.Fatalf("publisher %d: %+v, %v; want its own first version", i, it, err)
		}
		hits, err := p.MemorySearch(ctx, "", memory.Query{Text: "note", K: 10})
		if err != nil || len(hits) != 1 {
			t.Fatalf("publisher %d sees %d notes (%v), want its own one", i, len(hits), err)
		}
	}
}
