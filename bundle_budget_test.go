package aios

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/packager/bundle"
)

// spendRun runs testdata/spend.wasm, packed as a bundle with budgets, on a system configured
// by cfg: it generates until a call fails and writes the error it was given. It returns how
// many answers it got, the error it saw, and the run's result.
func spendRun(t *testing.T, cfg config.Config, budgets bundle.Budgets) (answers int, seen map[string]any, res *Result) {
	t.Helper()
	ctx := context.Background()
	module, err := os.ReadFile("testdata/spend.wasm")
	if err != nil {
		t.Fatal(err)
	}
	wasm, err := bundle.Pack(module, bundle.Manifest{Name: "spend", Version: "1.0.0", Budgets: budgets})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	sys, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sys.Close(context.Background()) })
	agent, err := sys.Load(ctx, "spend", wasm)
	if err != nil {
		t.Fatal(err)
	}
	res, err = agent.Run(ctx, RunOptions{})
	if err != nil || res.Err != nil {
		t.Fatalf("run: %v, %+v", err, res)
	}
	out := string(res.Output)
	answers = strings.Count(out, "ok\n")
	if err := json.Unmarshal([]byte(strings.ReplaceAll(out, "ok\n", "")), &seen); err != nil {
		t.Fatalf("output %q: the agent never failed, or wrote no error: %v", out, err)
	}
	return answers, seen, res
}

func TestBundleBudgetStopsTheRun(t *testing.T) {
	cfg := config.Default()
	answers, seen, res := spendRun(t, cfg, bundle.Budgets{Tokens: 50})
	if answers == 0 {
		t.Fatal("a 50-token budget refused the first 8-token request")
	}
	if seen["name"] != "EQUOTA" || !strings.Contains(seen["message"].(string), `run "spend[`) {
		t.Fatalf("the agent saw %v, want EQUOTA naming the run's budget", seen)
	}
	u := res.Usage
	if spent := u.InputTokens + u.OutputTokens; spent > 50 {
		t.Fatalf("the run spent %d tokens of a 50-token budget", spent)
	}
	if u.BudgetRefusals != 1 || !strings.Contains(u.Exhausted, "tokens budget of 50 tokens") {
		t.Fatalf("usage says %d refusals by %q, want one by the run's 50-token budget", u.BudgetRefusals, u.Exhausted)
	}
}

func TestBundleMoneyBudgetStopsTheRun(t *testing.T) {
	cfg := config.Default()
	cfg.Cores = []config.Core{{CoreConfig: llm.CoreConfig{Name: "priced", Kind: llm.KindEcho}, PriceIn: 1, PriceOut: 1}}
	answers, seen, res := spendRun(t, cfg, bundle.Budgets{USD: "0.00005"}) // 50 micro-dollars: 50 tokens at $1 per million
	if answers == 0 || seen["name"] != "EQUOTA" {
		t.Fatalf("%d answers, then %v: want some, then EQUOTA", answers, seen)
	}
	if res.Usage.Cost > quota.Dollars(0.00005) || !strings.Contains(res.Usage.Exhausted, "money budget of $0.000050") {
		t.Fatalf("usage %+v: want at most $0.000050 spent and the run's money budget named", res.Usage)
	}
}

// TestHostQuotaBelowBundleBudgetWins: the bundle's budget cannot raise what the host allows.
func TestHostQuotaBelowBundleBudgetWins(t *testing.T) {
	cfg := config.Default()
	cfg.Scheduler.DefaultMaxTokens = 8
	cfg.Quotas.Agents = map[string]config.Budget{"spend": {Tokens: 30}}
	_, seen, res := spendRun(t, cfg, bundle.Budgets{Tokens: 50})
	if !strings.Contains(seen["message"].(string), `agent "spend" tokens budget of 30 tokens`) {
		t.Fatalf("the agent saw %v, want the host's 30-token quota named", seen)
	}
	if spent := res.Usage.InputTokens + res.Usage.OutputTokens; spent > 30 {
		t.Fatalf("the run spent %d tokens under a 30-token host quota", spent)
	}
}

func TestParseUSD(t *testing.T) {
	for _, c := range []struct {
		in   string
		want quota.Cost
		ok   bool
	}{
		{"", 0, true},
		{"0", 0, true},
		{"0.5", 500_000, true},
		{"1.000001", 1_000_001, true},
		{"9223372036854", 9_223_372_036_854_000_000, true},
		{"9223372036854.775807", math.MaxInt64, true},
		{"9223372036855", math.MaxInt64, true},
		{"99999999999999999999999999.123456", math.MaxInt64, true},
		{"1.0000001", 0, false},
		{"-1", 0, false},
		{".5", 0, false},
		{"1e9", 0, false},
	} {
		got, err := parseUSD(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseUSD(%q) = %d, %v; want %d, ok %t", c.in, got, err, c.want, c.ok)
		}
	}
}
