package server

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
)

// tenantsTOML makes alice and bob two virtual kernels on one server: alice has a token budget of
// her own and a grant to every model; bob has no budget and no grant at all.
const tenantsTOML = `
[quotas.tenants.alice]
tokens = 40

[policy]
[[policy.grants]]
tenant = "alice"
models = ["*"]
classes = ["*"]
`

// TestTenantsAreVirtualKernels runs the same agent for two tenants of one server: each meets
// only its own budget and its own policy data, and GET /v1/usage reports each one's account
// in the shared quota ledger.
func TestTenantsAreVirtualKernels(t *testing.T) {
	s, alice, bob := twoTenants(t, tenantsTOML, nil, Options{})
	ac, bc := s.client(alice), s.client(bob)

	// spend asks for 8 tokens at a time until a call fails, then writes the error it got.
	ar := waitFinal(t, ac, submit(t, ac, "spend", "").ID)
	br := waitFinal(t, bc, submit(t, bc, "spend", "").ID)
	ctx := context.Background()
	aout, err := ac.Output(ctx, ar.ID)
	if err != nil {
		t.Fatal(err)
	}
	bout, err := bc.Output(ctx, br.ID)
	if err != nil {
		t.Fatal(err)
	}
	// alice's budget binds after a few answers; bob is denied his first call by policy.
	if n := strings.Count(string(aout), "ok\n"); n == 0 || n > 5 || !strings.Contains(string(aout), "EQUOTA") ||
		!strings.Contains(string(aout), `tenant \"alice\"`) {
		t.Fatalf("alice's run: want a few answers, then her tenant budget refusing; output:\n%s", aout)
	}
	if strings.Contains(string(bout), "ok\n") || !strings.Contains(string(bout), "EPERM") {
		t.Fatalf("bob's run: want his first call denied by policy (he has no grant); output:\n%s", bout)
	}

	au, err := ac.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if au.Tenant != "alice" || au.Budget.TokensLimit != 40 || au.Budget.TokensUsed <= 0 || au.Budget.TokensUsed > 40 ||
		au.Budget.Period != "lifetime" || au.Usage.Generations == 0 {
		t.Fatalf("alice's usage: %+v", au)
	}
	bu, err := bc.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bu.Tenant != "bob" || bu.Budget != (client.Budget{Period: "lifetime"}) || bu.Usage.Generations != 0 || bu.Usage.Denied == 0 {
		t.Fatalf("bob's usage: %+v", bu)
	}
	// Each sees only its own run.
	for _, c := range []struct {
		c    *client.Client
		mine string
	}{{ac, ar.ID}, {bc, br.ID}} {
		runs, err := c.c.Runs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].ID != c.mine {
			t.Fatalf("runs %+v, want only %s", runs, c.mine)
		}
	}
}

// weightsTOML gives alice three times bob's share of one slow core that serves one generation
// at a time; carol, whose weight makes her service count for nearly nothing, holds the core
// while their generations queue.
const weightsTOML = `
[[cores]]
name = "slow"
kind = "echo"
latency = "20ms"
capacity = 1

[scheduler]
kind = "fair-share"
by_tenant = true

[scheduler.weights]
alice = 3
bob = 1
carol = 1000
`

// TestTenantSchedulerWeights: with both tenants' generations waiting for one core, the
// scheduler serves alice about three times as often as bob. Carol's long generation holds the
// core until all sixteen of theirs are queued (GET /v1/cores says so), then is canceled, so the
// order of service is the scheduler's alone. The first eight generations served would hold four
// of each were the weights equal; with 3:1 they hold six of alice's.
func TestTenantSchedulerWeights(t *testing.T) {
	var tokens []string
	var lines []string
	for _, name := range []string{"alice", "bob", "carol"} {
		tok, line, err := NewToken(name)
		if err != nil {
			t.Fatal(err)
		}
		tokens, lines = append(tokens, tok), append(lines, line)
	}
	parsed, err := ParseTokens(strings.NewReader(strings.Join(lines, "\n") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, weightsTOML, nil, Options{Tokens: parsed})
	ac, bc, cc := s.client(tokens[0]), s.client(tokens[1]), s.client(tokens[2])
	ctx := context.Background()

	// askinput asks the LLM with its input; the echo core answers it word by word.
	ask, err := os.ReadFile(filepath.Join("testdata", "askinput.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	blocker, err := cc.Submit(ctx, client.RunRequest{Module: ask, Name: "blocker", Input: strings.Repeat("w ", 400)})
	if err != nil {
		t.Fatal(err)
	}
	waitCores(t, cc, "carol's generation on the core", func(r client.CoreReport) bool {
		return len(r.Cores) == 1 && r.Cores[0].InFlight == 1
	})
	const each = 8
	owner := map[string]string{}
	var ids []string
	for range each {
		for _, c := range []struct {
			c    *client.Client
			name string
		}{{bc, "bob"}, {ac, "alice"}} {
			r := submit(t, c.c, "generate", "")
			ids = append(ids, r.ID)
			owner[r.ID] = c.name
		}
	}
	waitCores(t, cc, "all sixteen generations queued", func(r client.CoreReport) bool { return r.Queued == 2*each })
	if _, err := cc.Cancel(ctx, blocker.ID); err != nil {
		t.Fatal(err)
	}

	type ended struct {
		at  time.Time
		who string
	}
	var done []ended
	for _, id := range ids {
		c := ac
		if owner[id] == "bob" {
			c = bc
		}
		r := waitFinal(t, c, id)
		if r.Status != client.StatusExited || r.Ended == nil {
			t.Fatalf("run %s of %s: %+v", id, owner[id], r)
		}
		done = append(done, ended{*r.Ended, owner[id]})
	}
	sort.Slice(done, func(i, j int) bool { return done[i].at.Before(done[j].at) })
	first := 0
	for _, d := range done[:each] {
		if d.who == "alice" {
			first++
		}
	}
	if first < 5 {
		var order []string
		for _, d := range done {
			order = append(order, d.who)
		}
		t.Fatalf("alice had %d of the first %d generations served, want at least 5 with weight 3:1; order: %v", first, each, order)
	}
}

// TestTenantsHaveTheirOwnMemoryAndStorage runs one module (same name, same publisher) for two
// tenants: alice's second run finds what her first stored and remembered; bob's run finds
// nothing of hers.
func TestTenantsHaveTheirOwnMemoryAndStorage(t *testing.T) {
	s, alice, bob := twoTenants(t, "", nil, Options{})
	wasm, err := os.ReadFile(filepath.Join("testdata", "remember.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(c *client.Client) string {
		t.Helper()
		ctx := context.Background()
		r, err := c.Submit(ctx, client.RunRequest{Module: wasm, Name: "remember"})
		if err != nil {
			t.Fatal(err)
		}
		if r = waitFinal(t, c, r.ID); r.Status != client.StatusExited || *r.ExitCode != 0 {
			t.Fatalf("run %+v", r)
		}
		out, err := c.Output(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	ac, bc := s.client(alice), s.client(bob)
	if out := run(ac); out != `got none hits {"hits":[]}` {
		t.Fatalf("alice's first run: %q", out)
	}
	if out := run(ac); !strings.Contains(out, `"value":"c2VjcmV0"`) || !strings.Contains(out, "a secret plan") {
		t.Fatalf("alice's second run does not find what her first stored: %q", out)
	}
	if out := run(bc); out != `got none hits {"hits":[]}` {
		t.Fatalf("bob's run sees alice's storage or memory: %q", out)
	}
}
