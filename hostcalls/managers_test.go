package hostcalls

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/storage"
	"github.com/aiosys/aios/policy"
)

// stores opens a real memory and storage store in a temporary directory.
func stores(t testing.TB) (*memory.Store, *storage.Store) {
	t.Helper()
	dir := t.TempDir()
	m, err := memory.Open(filepath.Join(dir, "memory.db"), memory.Options{MaxEntryBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	s, err := storage.Open(context.Background(), filepath.Join(dir, "storage.db"), storage.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(); _ = s.Close() })
	return m, s
}

// withStores gives the env's kernel m and s and names its agent.
func withStores(m *memory.Store, s *storage.Store, agent string) func(*envConfig) {
	return func(c *envConfig) {
		c.kopts = append(c.kopts, kernel.WithMemory(m, nil), kernel.WithStorage(s))
		c.spec = kernel.Spec{Name: agent, Agent: policy.Agent{Name: agent}}
	}
}

// do makes a 1.2 call with body and returns its errno and, on OK, its decoded result.
func (e *env) do(call string, body any) (Errno, map[string]any) {
	e.t.Helper()
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			e.t.Fatal(err)
		}
	}
	rp, rn := e.put(reqAt, b)
	code := e.aios(call, rp, rn, outAt)
	if code != OK {
		return code, nil
	}
	var out map[string]any
	if err := json.Unmarshal(e.takeResult(outAt), &out); err != nil {
		e.t.Fatalf("%s: decode result: %v", call, err)
	}
	return code, out
}

// must makes a call that must succeed.
func (e *env) must(call string, body any) map[string]any {
	e.t.Helper()
	code, out := e.do(call, body)
	if code != OK {
		e.t.Fatalf("%s %v: %v (%s)", call, body, code, e.lastErr().Message)
	}
	return out
}

func TestMemoryCalls(t *testing.T) {
	m, s := stores(t)
	e := newEnv(t, withStores(m, s, "writer"))
	id := e.must("memory_add", map[string]any{"text": "the cat sat on the mat", "metadata": map[string]string{"kind": "obs"}})["id"].(string)
	e.must("memory_add", map[string]any{"text": "dogs bark at night"})

	got := e.must("memory_get", map[string]any{"id": id})
	if got["text"] != "the cat sat on the mat" || got["metadata"].(map[string]any)["kind"] != "obs" || got["created"] == "" {
		t.Fatalf("memory_get = %v", got)
	}
	// FTS5 syntax is plain text: these are the words cat, or, mat, near, x and content.
	hits := e.must("memory_search", map[string]any{"query": `cat" OR mat* NEAR(x) content:`})["hits"].([]any)
	if len(hits) != 1 || hits[0].(map[string]any)["id"] != id {
		t.Fatalf("a query in FTS5 syntax = %v", hits)
	}
	hits = e.must("memory_search", map[string]any{"query": "cat"})["hits"].([]any)
	if len(hits) != 1 || hits[0].(map[string]any)["id"] != id {
		t.Fatalf("keyword search = %v", hits)
	}
	if hits := e.must("memory_search", map[string]any{"query": "dogs", "filter": map[string]string{"kind": "obs"}})["hits"].([]any); len(hits) != 0 {
		t.Fatalf("filtered search = %v", hits)
	}
	// A filter is compared as exact strings: SQL in it is text.
	for _, f := range []map[string]string{{"kind": "obs' OR '1'='1"}, {"kind') OR 1=1 --": "x"}, {"kind": "%"}} {
		if hits := e.must("memory_search", map[string]any{"query": "cat", "filter": f})["hits"].([]any); len(hits) != 0 {
			t.Fatalf("filter %v matched %v", f, hits)
		}
	}
	if hits := e.must("memory_search", map[string]any{"query": "cat", "k": 1000000000})["hits"].([]any); len(hits) != 1 {
		t.Fatalf("k = 10^9: %v", hits)
	}
	e.must("memory_update", map[string]any{"id": id, "text": "the cat left"})
	if got := e.must("memory_get", map[string]any{"id": id}); got["text"] != "the cat left" {
		t.Fatalf("after update: %v", got)
	}
	e.must("memory_delete", map[string]any{"id": id})
	for _, c := range []struct {
		call string
		body any
		want Errno
		says string
	}{
		{"memory_get", map[string]any{"id": id}, ENOENT, "not found"},
		{"memory_get", map[string]any{"id": "../../etc"}, EINVAL, "malformed id"},
		{"memory_search", map[string]any{"query": "cat", "k": 0}, EINVAL, "k is 0"},
		{"memory_search", map[string]any{"query": "cat", "k": -5}, EINVAL, "k is -5"},
		{"memory_search", map[string]any{"query": "cat", "mode": "vector"}, ENOENT, "embedding"},
		{"memory_search", map[string]any{"query": "cat", "mode": "fuzzy"}, EINVAL, "mode"},
		{"memory_add", []byte("{\"text\": \"bad \xff\"}"), EINVAL, "UTF-8"},
		{"memory_add", []byte(`["text"]`), EINVAL, "JSON object"},
		{"memory_add", map[string]any{"text": strings.Repeat("x", 5000)}, EINVAL, "at most 4096"},
		{"memory_add", map[string]any{"text": "x", "space": "../other"}, EINVAL, "shared space name"},
	} {
		if code, _ := e.do(c.call, c.body); code != c.want {
			t.Errorf("%s %.80v = %v, want %v", c.call, c.body, code, c.want)
			continue
		}
		if le := e.lastErr(); !strings.Contains(le.Message, c.says) {
			t.Errorf("%s: message %q does not say %q", c.call, le.Message, c.says)
		}
	}
}

func TestMemoryAndStorageAreIsolatedByIdentity(t *testing.T) {
	m, s := stores(t)
	a := newEnv(t, withStores(m, s, "alice"))
	b := newEnv(t, withStores(m, s, "bob"))
	id := a.must("memory_add", map[string]any{"text": "alice secret plan"})["id"].(string)
	a.must("storage_put", map[string]any{"key": "plan", "value": []byte("alice")})

	if code, _ := b.do("memory_get", map[string]any{"id": id}); code != ENOENT {
		t.Fatalf("bob read alice's entry: %v", code)
	}
	for _, body := range []any{map[string]any{"id": id, "text": "bob"}} {
		if code, _ := b.do("memory_update", body); code != ENOENT {
			t.Fatalf("bob updated alice's entry: %v", code)
		}
	}
	if code, _ := b.do("memory_delete", map[string]any{"id": id}); code != ENOENT {
		t.Fatalf("bob deleted alice's entry: %v", code)
	}
	if hits := b.must("memory_search", map[string]any{"query": "alice secret plan"})["hits"].([]any); len(hits) != 0 {
		t.Fatalf("bob found alice's entries: %v", hits)
	}
	for _, key := range []string{"plan", "../alice/plan", "alice/plan"} {
		if code, _ := b.do("storage_get", map[string]any{"key": key}); code != ENOENT {
			t.Fatalf("bob read key %q: %v", key, code)
		}
	}
	b.must("storage_put", map[string]any{"key": "plan", "value": []byte("bob")})
	if got := a.must("storage_get", map[string]any{"key": "plan"}); got["value"] != "YWxpY2U=" || got["version"] != 1.0 {
		t.Fatalf("alice's plan after bob wrote his: %v", got)
	}
	// A shared space needs a grant: without a policy gate it is allowed, but it is the
	// tenant's, not alice's own.
	b.must("memory_add", map[string]any{"text": "team note", "space": "team"})
	if hits := a.must("memory_search", map[string]any{"query": "team note"})["hits"].([]any); len(hits) != 0 {
		t.Fatalf("a shared space's entry is in alice's own space: %v", hits)
	}
	if hits := a.must("memory_search", map[string]any{"query": "team note", "space": "team"})["hits"].([]any); len(hits) != 1 {
		t.Fatalf("alice does not see the shared space: %v", hits)
	}
}

func TestStorageCalls(t *testing.T) {
	m, s := stores(t)
	e := newEnv(t, withStores(m, s, "writer"))
	r1 := e.must("storage_put", map[string]any{"key": "notes/a", "value": []byte("one")})
	e.must("storage_put", map[string]any{"key": "notes/a", "value": []byte("two")})
	e.must("storage_put", map[string]any{"key": "notes/b", "value": []byte{0, 1, 2}})
	if r1["version"] != 1.0 || r1["size"] != 3.0 || r1["deleted"] != false || r1["time"] == "" {
		t.Fatalf("first put = %v", r1)
	}
	if got := e.must("storage_get", map[string]any{"key": "notes/a"}); got["value"] != "dHdv" || got["version"] != 2.0 {
		t.Fatalf("get = %v", got)
	}
	if got := e.must("storage_get", map[string]any{"key": "notes/a", "version": 1}); got["value"] != "b25l" {
		t.Fatalf("get version 1 = %v", got)
	}
	page := e.must("storage_list", map[string]any{"prefix": "notes/", "limit": 1})
	if es := page["entries"].([]any); len(es) != 1 || es[0].(map[string]any)["key"] != "notes/a" || page["next"] != "notes/a" {
		t.Fatalf("list page 1 = %v", page)
	}
	page = e.must("storage_list", map[string]any{"prefix": "notes/", "after": "notes/a"})
	if es := page["entries"].([]any); len(es) != 1 || page["next"] != "" {
		t.Fatalf("list page 2 = %v", page)
	}
	if vs := e.must("storage_history", map[string]any{"key": "notes/a"})["versions"].([]any); len(vs) != 2 || vs[0].(map[string]any)["version"] != 2.0 {
		t.Fatalf("history = %v", vs)
	}
	if r := e.must("storage_rollback", map[string]any{"key": "notes/a", "version": 1}); r["version"] != 3.0 {
		t.Fatalf("rollback = %v", r)
	}
	if got := e.must("storage_get", map[string]any{"key": "notes/a"}); got["value"] != "b25l" {
		t.Fatalf("after rollback = %v", got)
	}
	if r := e.must("storage_delete", map[string]any{"key": "notes/a"}); r["deleted"] != true || r["version"] != 4.0 {
		t.Fatalf("delete = %v", r)
	}
	for _, c := range []struct {
		call string
		body any
		want Errno
	}{
		{"storage_get", map[string]any{"key": "notes/a"}, ENOENT},
		{"storage_put", map[string]any{"key": "", "value": []byte("x")}, EINVAL},
		{"storage_put", map[string]any{"key": "a\u0000b", "value": []byte("x")}, EINVAL},
		{"storage_put", map[string]any{"key": strings.Repeat("k", 10<<10), "value": []byte("x")}, EINVAL}, // 10 KB
		{"storage_put", []byte(`{"key": "k", "value": "not base64!"}`), EINVAL},
		{"storage_get", map[string]any{"key": "notes/b", "version": -1}, EINVAL},
		{"storage_rollback", map[string]any{"key": "notes/b"}, EINVAL},
		{"storage_rollback", map[string]any{"key": "notes/b", "version": 1, "time": "2026-01-01T00:00:00Z"}, EINVAL},
		{"storage_rollback", map[string]any{"key": "notes/b", "time": "yesterday"}, EINVAL},
		{"storage_rollback", map[string]any{"key": "notes/b", "time": "2000-01-01T00:00:00Z"}, ENOENT},
	} {
		if code, _ := e.do(c.call, c.body); code != c.want {
			t.Errorf("%s %.80v = %v, want %v (%s)", c.call, c.body, code, c.want, e.lastErr().Message)
		}
	}
	// Page sizes: 0 or less takes the default, a huge one the most; a number no int holds is EINVAL.
	for _, limit := range []any{-1, 0, 1 << 40} {
		if es := e.must("storage_list", map[string]any{"limit": limit})["entries"].([]any); len(es) != 1 {
			t.Errorf("storage_list limit %v = %v", limit, es)
		}
		if vs := e.must("storage_history", map[string]any{"key": "notes/b", "limit": limit})["versions"].([]any); len(vs) != 1 {
			t.Errorf("storage_history limit %v = %v", limit, vs)
		}
	}
	for _, body := range []string{`{"limit": 1e30}`, `{"limit": -1e30}`, `{"limit": "9"}`, `{"before": -3, "key": "k"}`} {
		call := "storage_list"
		if strings.Contains(body, "before") {
			call = "storage_history"
		}
		if code, _ := e.do(call, []byte(body)); code != EINVAL {
			t.Errorf("%s %s = %v, want EINVAL", call, body, code)
		}
	}
	// A key with "../" is an opaque key of this space like any other.
	e.must("storage_put", map[string]any{"key": "../../etc/passwd", "value": []byte("x")})
	if got := e.must("storage_get", map[string]any{"key": "../../etc/passwd"}); got["value"] != "eA==" {
		t.Fatalf("dotted key = %v", got)
	}
}

func TestManagerCallsCanBeSubmitted(t *testing.T) {
	m, s := stores(t)
	e := newEnv(t, withStores(m, s, "writer"))
	e.must("storage_put", map[string]any{"key": "k", "value": []byte("v")})
	cp, cn := e.put(callAt, []byte("storage_get"))
	rp, rn := e.put(reqAt, []byte(`{"key": "k"}`))
	if code := e.aios("submit", cp, cn, rp, rn, outAt); code != OK {
		t.Fatalf("submit storage_get: %v", code)
	}
	h := e.u32(outAt)
	e.put(reqAt, []byte(`{"key": "overwritten after submit"}`)) // the host copied the body
	idx := uint64(outAt + 64)
	e.mem.b[idx] = 0
	hp, _ := e.put(outAt+32, []byte{byte(h), byte(h >> 8), byte(h >> 16), byte(h >> 24)})
	if code := e.aios("wait", hp, 1, ^uint64(0), idx); code != OK {
		t.Fatalf("wait: %v", code)
	}
	if code := e.aios("poll", uint64(h), outAt); code != OK {
		t.Fatalf("poll: %v", code)
	}
	var item map[string]any
	if err := json.Unmarshal(e.takeResult(outAt), &item); err != nil || item["value"] != "dg==" {
		t.Fatalf("submitted storage_get = %v, %v", item, err)
	}
}

func TestManagerCallsWithoutManagers(t *testing.T) {
	e := newEnv(t)
	for call, want := range map[string]Errno{"memory_add": ENOSYS, "storage_get": ENOSYS, "tool_call": ENOENT} {
		if code, _ := e.do(call, map[string]any{"text": "x", "key": "k", "name": "t"}); code != want {
			t.Errorf("%s without a manager = %v, want %v", call, code, want)
		}
	}
	if got := e.must("tool_list", map[string]any{}); len(got["tools"].([]any)) != 0 {
		t.Fatalf("tool_list without tools = %v", got)
	}
}
