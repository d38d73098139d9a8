package server

import (
	"context"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
)

// slowEchoCore is one echo core that serves one generation at a time and takes an hour per
// word: a generation stays in flight until its run is canceled.
const slowEchoCore = "[[cores]]\nkind = \"echo\"\ncapacity = 1\nlatency = \"1h\"\n"

// waitCores polls GET /v1/cores until check holds, failing at the hang guard.
func waitCores(t *testing.T, c *client.Client, what string, check func(client.CoreReport) bool) client.CoreReport {
	t.Helper()
	guard := time.Now().Add(hangGuard)
	for {
		r, err := c.Cores(context.Background())
		if err != nil {
			t.Fatalf("GET /v1/cores: %v", err)
		}
		if check(r) {
			return r
		}
		if time.Now().After(guard) {
			t.Fatalf("%s: not after %s; cores: %+v", what, hangGuard, r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCoresShowInFlightAndQueuedToEveryTenant(t *testing.T) {
	s, alice, bob := twoTenants(t, slowEchoCore, nil, Options{})
	a := s.client(alice)
	first, second := submit(t, a, "generate", ""), submit(t, a, "generate", "")
	busy := func(r client.CoreReport) bool {
		return len(r.Cores) == 1 && r.Cores[0].InFlight == 1 && r.Cores[0].Queued == 1 && r.Queued == 1
	}
	r := waitCores(t, a, "one generation in flight and one queued", busy)
	c := r.Cores[0]
	if c.Name != "echo" || c.Kind != "echo" || c.Capacity != 1 || c.Health != client.CoreReady || c.CooldownSeconds != 0 || r.WindowSeconds != 10 {
		t.Errorf("cores = %+v, want the echo core of capacity 1, ready, over a 10 s window", r)
	}
	// The cores are shared: a tenant with no runs sees the same load.
	if r, err := s.client(bob).Cores(context.Background()); err != nil || !busy(r) {
		t.Errorf("bob's GET /v1/cores = %+v, %v; want the same load", r, err)
	}

	fams := s.scrape(bob)
	for _, m := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"aios_generations_in_flight", map[string]string{"core": "echo"}, 1},
		{"aios_generations_waiting", map[string]string{"core": "echo"}, 1},
		{"aios_generations_queued", map[string]string{}, 1},
		{"aios_core_cooldown_seconds", map[string]string{"core": "echo"}, 0},
		{"aios_runs", map[string]string{"state": client.StatusRunning}, 2},
	} {
		if got := sample(fams, m.name, m.labels); got != m.want {
			t.Errorf("%s%v = %v, want %v", m.name, m.labels, got, m.want)
		}
	}

	for _, run := range []client.Run{first, second} {
		if _, err := a.Cancel(context.Background(), run.ID); err != nil {
			t.Fatal(err)
		}
		waitFinal(t, a, run.ID)
	}
	waitCores(t, a, "nothing in flight or queued after the cancels", func(r client.CoreReport) bool {
		return r.Queued == 0 && r.Cores[0].InFlight == 0 && r.Cores[0].Queued == 0
	})
	fams = s.scrape(alice)
	if got := sample(fams, "aios_generations_waiting", map[string]string{"core": "echo"}); got != 0 {
		t.Errorf("aios_generations_waiting after the cancels = %v, want 0", got)
	}
}

func TestCoresCountTokensMoved(t *testing.T) {
	s := newTestServer(t, "", nil, Options{})
	c := s.client("")
	if r := waitCores(t, c, "the echo core", func(client.CoreReport) bool { return true }); len(r.Cores) != 1 || r.Cores[0].Name != "echo" || r.Cores[0].Tokens != 0 {
		t.Fatalf("idle cores = %+v, want the echo core with no tokens moved", r)
	}
	run := waitFinal(t, c, submit(t, c, "generate", "").ID)
	used := run.Usage.InputTokens + run.Usage.OutputTokens
	if run.Status != client.StatusExited || used == 0 {
		t.Fatalf("run = %+v, want it exited after using tokens", run)
	}
	r, err := c.Cores(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// tokens_per_second is not checked: on a slow machine the 10 s window may have passed. The
	// dispatcher's tests check it on a clock of their own.
	if got := r.Cores[0]; got.Tokens != int64(used) {
		t.Errorf("core = %+v, want the run's %d tokens counted", got, used)
	}
	if got := sample(s.scrape(""), "aios_core_tokens_total", map[string]string{"core": "echo"}); got != float64(used) {
		t.Errorf("aios_core_tokens_total = %v, want %d", got, used)
	}
}
