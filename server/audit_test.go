package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
)

// denyBobRego denies bob's generations; everything else is granted.
const denyBobRego = `package aios.policy

deny contains "bob may not generate" if {
	input.call == "llm_generate"
	input.agent.tenant == "bob"
}
`

const denyBobTOML = "[policy]\npaths = [\"bob.rego\"]\n[[policy.grants]]\nagent = \"*\"\nmodels = [\"*\"]\nclasses = [\"*\"]\n"

// auditPage reads GET /v1/audit as c with q and fails the test on an error.
func auditPage(t *testing.T, c *client.Client, q client.AuditQuery) client.AuditPage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	p, err := c.Audit(ctx, q)
	if err != nil {
		t.Fatalf("audit %+v: %v", q, err)
	}
	return p
}

func TestAuditShowsOnlyTheTenantsDecisions(t *testing.T) {
	s, alice, bob := twoTenants(t, denyBobTOML, map[string]string{"bob.rego": denyBobRego}, Options{})
	a, b := s.client(alice), s.client(bob)
	aRun := submit(t, a, "generate", "")
	bRun := submit(t, b, "generate", "")
	if r := waitFinal(t, a, aRun.ID); r.Status != client.StatusExited {
		t.Fatalf("alice's run = %+v, want exited", r)
	}
	if r := waitFinal(t, b, bRun.ID); r.Status != client.StatusFailed {
		t.Fatalf("bob's run = %+v, want failed (its generation denied)", r)
	}

	calls := func(p client.AuditPage, tenant string) []string {
		t.Helper()
		var out []string
		for i, e := range p.Entries {
			if e.Tenant != tenant {
				t.Errorf("%s sees %s's entry %+v", tenant, e.Tenant, e)
			}
			if i > 0 && e.ID >= p.Entries[i-1].ID {
				t.Errorf("entries not newest first: %d after %d", e.ID, p.Entries[i-1].ID)
			}
			out = append(out, e.Call+"="+map[bool]string{true: "allow", false: "deny"}[e.Allow])
		}
		return out
	}
	all := calls(auditPage(t, a, client.AuditQuery{}), "alice")
	if !strings.Contains(strings.Join(all, " "), "llm_generate=allow") || !strings.Contains(strings.Join(all, " "), "start=allow") {
		t.Fatalf("alice's decisions = %v, want her start and generation allowed", all)
	}
	bobs := calls(auditPage(t, b, client.AuditQuery{Decision: "deny"}), "bob")
	if strings.Join(bobs, " ") != "llm_generate=deny" {
		t.Fatalf("bob's denials = %v, want his one generation", bobs)
	}
	if p := auditPage(t, b, client.AuditQuery{Call: "llm_generate", Decision: "deny"}); p.Entries[0].Reason == "" ||
		!strings.Contains(p.Entries[0].Reason, "bob may not generate") || p.Entries[0].Agent != "generate" {
		t.Fatalf("bob's denial = %+v, want the policy's reason", p.Entries[0])
	}
	if got := calls(auditPage(t, a, client.AuditQuery{Decision: "deny"}), "alice"); len(got) != 0 {
		t.Fatalf("alice's denials = %v, want none", got)
	}
	if got := calls(auditPage(t, a, client.AuditQuery{Call: "llm_generate"}), "alice"); strings.Join(got, " ") != "llm_generate=allow" {
		t.Fatalf("alice's generations = %v", got)
	}
	if got := calls(auditPage(t, a, client.AuditQuery{Agent: "someone-else"}), "alice"); len(got) != 0 {
		t.Fatalf("another agent's decisions = %v, want none", got)
	}
	if got := calls(auditPage(t, a, client.AuditQuery{Since: time.Now().Add(time.Hour)}), "alice"); len(got) != 0 {
		t.Fatalf("decisions from the future = %v, want none", got)
	}

	// A run selects its agent's decisions while it ran; another tenant's run is not found.
	if got := calls(auditPage(t, a, client.AuditQuery{Run: aRun.ID, Call: "llm_generate"}), "alice"); len(got) != 1 {
		t.Fatalf("alice's run's generations = %v, want one", got)
	}
	if got := calls(auditPage(t, a, client.AuditQuery{Run: aRun.ID, Agent: "other"}), "alice"); len(got) != 0 {
		t.Fatalf("a run and another agent = %v, want nothing", got)
	}
	if _, err := a.Audit(context.Background(), client.AuditQuery{Run: bRun.ID}); !client.IsNotFound(err) {
		t.Fatalf("alice asks for bob's run's decisions: %v, want 404", err)
	}

	// Pages: each is at most limit long, and next leads to older entries until none is left.
	seen := map[int64]bool{}
	q := client.AuditQuery{Limit: 1}
	for range len(all) + 1 {
		p := auditPage(t, a, q)
		if len(p.Entries) > 1 {
			t.Fatalf("a page of %d entries, want at most 1", len(p.Entries))
		}
		for _, e := range p.Entries {
			if seen[e.ID] {
				t.Fatalf("entry %d on two pages", e.ID)
			}
			seen[e.ID] = true
		}
		if p.Next == 0 {
			break
		}
		q.Before = p.Next
	}
	if len(seen) != len(all) {
		t.Fatalf("pages held %d entries, want the %d of one large page", len(seen), len(all))
	}
}

func TestAuditRefusesBadQueries(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	for _, q := range []string{"decision=maybe", "since=yesterday", "limit=0", "limit=1001", "limit=x", "before=-1", "before=0"} {
		resp, err := s.http().Get(s.ts.URL + "/v1/audit?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /v1/audit?%s: %d, want 400", q, resp.StatusCode)
		}
	}
	resp, err := s.http().Get(s.ts.URL + "/v1/audit?run=" + url.QueryEscape("run_nope"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown run: %d, want 404", resp.StatusCode)
	}
	if p := auditPage(t, s.client(""), client.AuditQuery{Limit: MaxAuditPage}); p.Entries == nil || p.Next != 0 {
		t.Fatalf("an empty log = %+v, want no entries and no next page", p)
	}
}

func TestAuditOffIsNotFound(t *testing.T) {
	s := newTestServer(t, "[policy]\naudit = false\n", nil, Options{})
	if _, err := s.client("").Audit(context.Background(), client.AuditQuery{}); !client.IsNotFound(err) {
		t.Fatalf("audit with auditing off: %v, want 404", err)
	}
}
