package audit

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/policy"
)

func openLog(t *testing.T, path string) *Log {
	t.Helper()
	l, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func entry(agent, call string, allow bool, at time.Time) Entry {
	return Entry{Time: at, Agent: agent, Tenant: "acme", Call: call, Allow: allow, Reason: "because",
		Args: map[string]any{"model": "gpt-4o"}, Eval: 3 * time.Microsecond}
}

func TestRecordSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openLog(t, path)
	t0 := time.Unix(1_700_000_000, 0)
	want := entry("writer", "llm_generate", true, t0)
	want.Obligations = policy.Obligations{MaxTokens: 256, CoreClass: "small", Confirm: true}
	want.Cached = true
	if err := l.Record(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(ctx, entry("reader", "tool_call", false, t0.Add(time.Second))); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	l = openLog(t, path)
	defer l.Close()
	got, err := l.Query(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("after reopen: %d entries, want 2", len(got))
	}
	g := got[0]
	if g.ID == 0 || !g.Time.Equal(t0) || g.Agent != "writer" || g.Call != "llm_generate" || !g.Allow ||
		g.Reason != "because" || g.Obligations.MaxTokens != 256 || g.Obligations.CoreClass != "small" ||
		!g.Obligations.Confirm || g.Eval != 3*time.Microsecond || !g.Cached || g.Args["model"] != "gpt-4o" {
		t.Errorf("first entry = %+v", g)
	}
	if got[1].Agent != "reader" || got[1].Allow {
		t.Errorf("second entry = %+v", got[1])
	}
}

func TestQueryFilters(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, filepath.Join(t.TempDir(), "audit.db"))
	defer l.Close()
	t0 := time.Unix(1_700_000_000, 0)
	for i, e := range []Entry{
		entry("a", "log", true, t0),
		entry("a", "llm_generate", false, t0.Add(1*time.Minute)),
		entry("b", "llm_generate", false, t0.Add(2*time.Minute)),
		entry("a", "tool_call", true, t0.Add(3*time.Minute)),
		entry("a", "tool_call", false, t0.Add(4*time.Minute)),
	} {
		if err := l.Record(ctx, e); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	cases := []struct {
		name  string
		f     Filter
		calls []string
	}{
		{"all", Filter{}, []string{"log", "llm_generate", "llm_generate", "tool_call", "tool_call"}},
		{"agent", Filter{Agent: "a"}, []string{"log", "llm_generate", "tool_call", "tool_call"}},
		{"denied", Filter{Agent: "a", Denied: true}, []string{"llm_generate", "tool_call"}},
		{"since", Filter{Since: t0.Add(2 * time.Minute)}, []string{"llm_generate", "tool_call", "tool_call"}},
		{"limit keeps newest", Filter{Agent: "a", Limit: 2}, []string{"tool_call", "tool_call"}},
	}
	for _, c := range cases {
		got, err := l.Query(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var calls []string
		for _, e := range got {
			calls = append(calls, e.Call)
		}
		if strings.Join(calls, ",") != strings.Join(c.calls, ",") {
			t.Errorf("%s: calls %v, want %v", c.name, calls, c.calls)
		}
	}
}

func TestSecretsNeverStored(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openLog(t, path)
	e := entry("writer", "tool_call", false, time.Now())
	e.Args = map[string]any{
		"tool":    "http_fetch",
		"api_key": "sk-live-123456",
		"headers": map[string]any{"Authorization": "Bearer abcdef", "Accept": "text/html"},
		"params":  map[string]string{"access_token": "tok-999999", "q": "cats"},
		"items":   []any{map[string]any{"note": "private-note-1"}, map[string]any{"note": "private-note-2"}},
		"prompt":  "the patient's record",
	}
	e.Obligations.Redact = []string{"prompt", "args.items.note"}
	e.Reason = `denied: prompt "the patient's record" mentions sk-live-123456`
	if err := l.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	if e.Args["api_key"] != "sk-live-123456" {
		t.Error("Record changed the caller's arguments")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	l = openLog(t, path)
	defer l.Close()
	var raw string
	for _, col := range []string{"args", "reason"} {
		var s string
		if err := l.db.QueryRow("SELECT " + col + " FROM decisions").Scan(&s); err != nil {
			t.Fatal(err)
		}
		raw += s + "\n"
	}
	for _, secret := range []string{"sk-live-123456", "Bearer abcdef", "tok-999999", "private-note", "patient"} {
		if strings.Contains(raw, secret) {
			t.Errorf("stored row contains %q:\n%s", secret, raw)
		}
	}
	for _, kept := range []string{"http_fetch", "text/html", "cats", Redacted} {
		if !strings.Contains(raw, kept) {
			t.Errorf("stored row lost %q:\n%s", kept, raw)
		}
	}
}

func TestConcurrentRecordsAllDurable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	l := openLog(t, path)
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := l.Record(ctx, entry("agent", "log", i%2 == 0, time.Now())); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, path)
	defer l.Close()
	got, err := l.Query(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Errorf("%d entries, want %d", len(got), writers*each)
	}
}

func TestClosedLogRefuses(t *testing.T) {
	l := openLog(t, filepath.Join(t.TempDir(), "audit.db"))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(context.Background(), entry("a", "log", true, time.Now())); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close: %v, want ErrClosed", err)
	}
	if err := l.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v, want ErrClosed", err)
	}
}

func TestFromDecision(t *testing.T) {
	in := policy.Input{Agent: policy.Agent{Name: "w", Tenant: "acme", Digest: "sha256:1"}, Call: "llm_generate",
		Args: map[string]any{"model": "m"}}
	d := policy.Decision{Allow: true, Reason: "ok", Obligations: policy.Obligations{MaxTokens: 5}, Elapsed: time.Millisecond}
	at := time.Unix(5, 0)
	e := FromDecision(at, in, d)
	if e.Agent != "w" || e.Tenant != "acme" || e.Digest != "sha256:1" || e.Call != "llm_generate" ||
		!e.Allow || e.Reason != "ok" || e.Obligations.MaxTokens != 5 || e.Eval != time.Millisecond || !e.Time.Equal(at) {
		t.Errorf("FromDecision = %+v", e)
	}
}
