package aios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// These tests run the kernel, the dispatcher and the configured cores against the real LLM
// simulator (internal/simtest) and real loopback servers that misbehave.

func TestSimManyAgentsTwoCoresCapacityHeld(t *testing.T) {
	t.Parallel()
	latency := []string{"--time-to-first-token", "20ms", "--inter-token-latency", "2ms"}
	big := simtest.Start(t, append([]string{"--max-num-seqs", "8"}, latency...)...)
	small := simtest.Start(t, append([]string{"--max-num-seqs", "4"}, latency...)...)
	cfg := config.Default()
	cfg.Scheduler = fastScheduler()
	bigCore, smallCore := openaiCore("big", big, 8), openaiCore("small", small, 4)
	bigCore.PriceIn, bigCore.PriceOut = 1, 2
	cfg.Cores = []config.Core{bigCore, smallCore}
	w, gauges := wired(t, cfg)

	procs, out := runAgents(t, w.kernel, "agent", 30, 4, func(i, j int) llm.Request {
		return ask(fmt.Sprintf("agent %d asks question %d please", i, j), 16)
	})
	if len(out.errs) > 0 || out.ok != 120 {
		t.Fatalf("%d of 120 generations completed; errors: %v", out.ok, out.errs)
	}
	for name, capacity := range map[string]int64{"big": 8, "small": 4} {
		g := gauges[name]
		if g.peak.Load() > capacity {
			t.Errorf("core %s had %d requests in flight, over its capacity %d", name, g.peak.Load(), capacity)
		}
		if g.calls.Load() == 0 {
			t.Errorf("core %s served nothing; the dispatcher should use both", name)
		}
	}
	tokens, cost, perCore := sumUsage(procs)
	if tokens != out.tokens || perCore["big"]+perCore["small"] != tokens {
		t.Errorf("process usage %d tokens (per core %v), responses %d", tokens, perCore, out.tokens)
	}
	if cost == 0 {
		t.Error("generations on the priced core cost nothing")
	}
	used := w.ledger.Balance(quota.Agent, "agent").Used
	if used.Tokens != tokens || used.Money != cost {
		t.Errorf("ledger used %+v, process usage %d tokens and %v", used, tokens, cost)
	}
	var waited time.Duration
	for _, p := range procs {
		for _, c := range p.Info().Usage.Cores {
			waited += c.QueueWait
		}
	}
	if waited == 0 {
		t.Error("120 generations over 12 places never waited for a core")
	}
}

func TestSimFailureInjectionNothingLostNothingChargedTwice(t *testing.T) {
	t.Parallel()
	flags := []string{"--failure-injection-rate", "20", "--failure-types", "rate_limit", "--failure-types", "server_error", "--max-num-seqs", "16"}
	a, b := simtest.Start(t, flags...), simtest.Start(t, flags...)
	cfg := config.Default()
	cfg.Scheduler = fastScheduler()
	cfg.Scheduler.MaxAttempts = 10
	ca, cb := openaiCore("a", a, 16), openaiCore("b", b, 16)
	ca.PriceIn, ca.PriceOut, cb.PriceIn, cb.PriceOut = 3, 15, 0.5, 1.5
	cfg.Cores = []config.Core{ca, cb}
	cfg.Quotas.Tenants = map[string]config.Budget{"team": {Money: 100}}
	w, gauges := wired(t, cfg)

	procs, out := runAgents(t, w.kernel, "worker", 20, 5, func(i, j int) llm.Request {
		return ask(fmt.Sprintf("worker %d job %d", i, j), 16)
	})
	if len(out.errs) > 0 || out.ok != 100 {
		t.Fatalf("%d of 100 generations completed; errors: %v", out.ok, out.errs)
	}
	if calls := gauges["a"].calls.Load() + gauges["b"].calls.Load(); calls <= 100 {
		t.Errorf("%d backend calls for 100 generations at a 20%% failure rate: were failures injected?", calls)
	}
	tokens, cost, _ := sumUsage(procs)
	used := w.ledger.Balance(quota.Agent, "worker")
	tenant := w.ledger.Balance(quota.Tenant, "team")
	if tokens != out.tokens || used.Used.Tokens != out.tokens || tenant.Used.Tokens != out.tokens {
		t.Errorf("responses used %d tokens; processes %d, agent ledger %d, tenant ledger %d",
			out.tokens, tokens, used.Used.Tokens, tenant.Used.Tokens)
	}
	if used.Used.Money != cost || tenant.Used.Money != cost || used.Reserved != (quota.Amount{}) {
		t.Errorf("ledger %+v, tenant %+v; process cost %v and nothing still reserved", used, tenant, cost)
	}
	retries := 0
	for _, p := range procs {
		for _, c := range p.Info().Usage.Cores {
			retries += c.Retries
		}
	}
	if retries == 0 {
		t.Error("no generation needed a retry")
	}
}

func TestSimCoreDownAtStartFailsOver(t *testing.T) {
	t.Parallel()
	live := simtest.Start(t)
	cfg := config.Default()
	cfg.Scheduler = fastScheduler()
	cfg.Cores = []config.Core{openaiCore("down", "http://"+deadPort(t)+"/v1", 4), openaiCore("live", live, 4)}
	w, gauges := wired(t, cfg)

	procs, out := runAgents(t, w.kernel, "agent", 5, 4, func(i, j int) llm.Request { return ask("are you there", 8) })
	if len(out.errs) > 0 || out.ok != 20 {
		t.Fatalf("%d of 20 generations completed; errors: %v", out.ok, out.errs)
	}
	if gauges["down"].calls.Load() == 0 {
		t.Error("the down core was never tried; the test proves nothing")
	}
	if _, _, perCore := sumUsage(procs); perCore["down"] != 0 || perCore["live"] != out.tokens {
		t.Errorf("usage per core %v; want everything on live", perCore)
	}
}

func TestSimHangingBackendTimesOutAndFailsOver(t *testing.T) {
	t.Parallel()
	live := simtest.Start(t)
	cfg := config.Default()
	cfg.Scheduler = fastScheduler()
	cfg.Scheduler.AttemptTimeout = 300 * time.Millisecond
	cfg.Cores = []config.Core{openaiCore("hang", "http://"+hangingServer(t)+"/v1", 4), openaiCore("live", live, 4)}
	w, gauges := wired(t, cfg)

	start := time.Now()
	procs, out := runAgents(t, w.kernel, "agent", 4, 3, func(i, j int) llm.Request { return ask("hello", 8) })
	if len(out.errs) > 0 || out.ok != 12 {
		t.Fatalf("%d of 12 generations completed; errors: %v", out.ok, out.errs)
	}
	if gauges["hang"].calls.Load() == 0 {
		t.Error("the hanging core was never tried; the test proves nothing")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s; an attempt timeout of 300ms should fail over long before", d)
	}
	if _, _, perCore := sumUsage(procs); perCore["hang"] != 0 {
		t.Errorf("usage charged to the hanging core: %v", perCore)
	}
	for _, p := range procs {
		if p.State() != kernel.Running {
			t.Errorf("process %d is %v after its generations returned", p.PID(), p.State())
		}
	}
}

// garbageServer answers every request with 200 and body, which is not what an OpenAI-compatible
// server sends.
func garbageServer(t *testing.T, contentType, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func TestSimGarbageBackend(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name, contentType, body string
	}{
		{name: "invalid JSON in events", contentType: "text/event-stream", body: "data: {\"choices\": [ not json\n\n"},
		{name: "no events at all", contentType: "application/json", body: `{"choices": [ this is not json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			garbage := garbageServer(t, tc.contentType, tc.body)
			cfg := config.Default()
			cfg.Scheduler = fastScheduler()
			cfg.Cores = []config.Core{openaiCore("garbage", garbage, 4)}
			w, _ := wired(t, cfg)
			p, _ := w.kernel.Spawn(kernel.Spec{Name: "agent"})
			_, err := p.Generate(ctx, ask("hi", 8), nil)
			if !errors.Is(err, dispatch.ErrBackend) || !strings.Contains(err.Error(), "garbage") {
				t.Fatalf("alone: err = %v, want ErrBackend naming the core", err)
			}
			if u := p.Info().Usage; u.Generations != 0 || u.InputTokens != 0 {
				t.Errorf("a failed generation was charged: %+v", u)
			}
			if bal := w.ledger.Balance(quota.Agent, "agent"); bal.Used != (quota.Amount{}) || bal.Reserved != (quota.Amount{}) {
				t.Errorf("ledger after a failed generation: %+v", bal)
			}

			// Beside a live core: a failover, or the same clear error; never garbage as an answer.
			cfg.Cores = append(cfg.Cores, openaiCore("live", simtest.Start(t), 4))
			w, gauges := wired(t, cfg)
			p, _ = w.kernel.Spawn(kernel.Spec{Name: "agent"})
			resp, err := p.Generate(ctx, ask("hi", 8), nil)
			if gauges["garbage"].calls.Load() == 0 {
				t.Fatal("the garbage core was never tried; the test proves nothing")
			}
			if err == nil && resp.Core != "live" {
				t.Fatalf("a garbage answer was taken for a response: %+v", resp)
			}
			if err != nil && (!errors.Is(err, dispatch.ErrBackend) || !strings.Contains(err.Error(), "garbage")) {
				t.Fatalf("beside a live core: err = %v, want a failover or ErrBackend naming the core", err)
			}
		})
	}
}

func TestSimUnknownModelOrClass(t *testing.T) {
	t.Parallel()
	sim := simtest.Start(t)
	cfg := config.Default()
	c := openaiCore("sim", sim, 4)
	c.Class = "fast"
	cfg.Cores = []config.Core{c}
	cfg.Aliases = map[string]string{"quick": "fast"}
	w, gauges := wired(t, cfg)
	p, _ := w.kernel.Spawn(kernel.Spec{Name: "agent"})
	ctx := context.Background()
	for _, model := range []string{"gpt-9", "smart"} {
		req := ask("hi", 8)
		req.Model = model
		if _, err := p.Generate(ctx, req, nil); !errors.Is(err, llm.ErrNoModel) || !strings.Contains(err.Error(), model) {
			t.Errorf("model %q: err = %v, want ErrNoModel naming it", model, err)
		}
	}
	if n := gauges["sim"].calls.Load(); n != 0 {
		t.Errorf("unknown models reached the backend %d times", n)
	}
	for _, model := range []string{"quick", "fast", "sim-model", ""} {
		req := ask("hi", 8)
		req.Model = model
		if resp, err := p.Generate(ctx, req, nil); err != nil || resp.Core != "sim" {
			t.Errorf("model %q: %+v, %v; want an answer from sim", model, resp, err)
		}
	}
}

func TestSimConcurrentRequestsNeverOvershootBudget(t *testing.T) {
	t.Parallel()
	sim := simtest.Start(t, "--max-num-seqs", "64")
	cfg := config.Default()
	cfg.Scheduler = fastScheduler()
	cfg.Scheduler.DefaultMaxTokens = 16
	cfg.Cores = []config.Core{openaiCore("sim", sim, 64)}
	const limit = 4000
	cfg.Quotas.Agents = map[string]config.Budget{"spender": {Tokens: limit}}
	w, _ := wired(t, cfg)

	// Each echoed prompt is shorter than max_tokens, so every estimate bounds its actual use.
	procs, out := runAgents(t, w.kernel, "spender", 20, 50, func(i, j int) llm.Request { return ask("spend a few tokens please", 16) })
	refused := 0
	for _, err := range out.errs {
		if !errors.Is(err, quota.ErrExhausted) {
			t.Fatalf("unexpected error: %v", err)
		}
		refused++
	}
	if out.ok+refused != 1000 || out.ok == 0 || refused == 0 {
		t.Fatalf("%d succeeded, %d refused of 1000; want both, adding up", out.ok, refused)
	}
	bal := w.ledger.Balance(quota.Agent, "spender")
	if bal.Used.Tokens > limit || bal.Reserved != (quota.Amount{}) {
		t.Fatalf("budget overshot or left reserved: %+v (limit %d)", bal, limit)
	}
	if tokens, _, _ := sumUsage(procs); tokens != bal.Used.Tokens || tokens != out.tokens {
		t.Errorf("process usage %d tokens, ledger %d, responses %d", tokens, bal.Used.Tokens, out.tokens)
	}
}
