package audit

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQueryFiltersByTenantCallDecisionAndWindow covers the filters a server's tenant-scoped
// audit listing uses: tenant, call, allowed only, a time window and a page cursor.
func TestQueryFiltersByTenantCallDecisionAndWindow(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, filepath.Join(t.TempDir(), "audit.db"))
	defer l.Close()
	t0 := time.Unix(1_700_000_000, 0)
	other := entry("a", "tool_call", true, t0.Add(90*time.Second))
	other.Tenant = "globex"
	for i, e := range []Entry{
		entry("a", "log", true, t0),
		entry("a", "llm_generate", false, t0.Add(1*time.Minute)),
		other,
		entry("b", "llm_generate", true, t0.Add(2*time.Minute)),
		entry("a", "tool_call", true, t0.Add(3*time.Minute)),
	} {
		if err := l.Record(ctx, e); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	all, err := l.Query(ctx, Filter{})
	if err != nil || len(all) != 5 {
		t.Fatalf("all = %d entries, %v", len(all), err)
	}
	cases := []struct {
		name  string
		f     Filter
		calls []string
	}{
		{"tenant", Filter{Tenant: "acme"}, []string{"log", "llm_generate", "llm_generate", "tool_call"}},
		{"other tenant", Filter{Tenant: "globex"}, []string{"tool_call"}},
		{"no such tenant", Filter{Tenant: "initech"}, nil},
		{"call", Filter{Tenant: "acme", Call: "llm_generate"}, []string{"llm_generate", "llm_generate"}},
		{"allowed", Filter{Tenant: "acme", Allowed: true}, []string{"log", "llm_generate", "tool_call"}},
		{"window", Filter{Since: t0.Add(time.Minute), Until: t0.Add(2 * time.Minute)}, []string{"llm_generate", "tool_call", "llm_generate"}},
		{"before", Filter{Before: all[3].ID, Limit: 2}, []string{"llm_generate", "tool_call"}},
		{"negative before is no cursor", Filter{Before: -5, Limit: 1}, []string{"tool_call"}},
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

// TestTenantAndAgentFiltersUseAnIndex checks the plan SQLite picks for the server's tenant and
// agent listings: an index, not a walk over every decision, so that a rare tenant's page costs
// its own entries and not the log's size.
func TestTenantAndAgentFiltersUseAnIndex(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, filepath.Join(t.TempDir(), "audit.db"))
	defer l.Close()
	for _, c := range []struct {
		f     Filter
		index string
	}{
		{Filter{Tenant: "acme", Limit: 50}, "decisions_tenant"},
		{Filter{Tenant: "acme", Call: "tool_call", Before: 10, Limit: 50}, "decisions_tenant"},
		{Filter{Agent: "a", Limit: 50}, "decisions_agent"},
	} {
		where, args := c.f.where()
		rows, err := l.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+selectEntries+where+" ORDER BY id DESC LIMIT ?", append(args, c.f.Limit)...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if !strings.Contains(strings.Join(plan, "; "), "INDEX "+c.index) {
			t.Errorf("%+v: plan %q does not use %s", c.f, plan, c.index)
		}
	}
}
