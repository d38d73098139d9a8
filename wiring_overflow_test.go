package aios

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// TestTenReplicasAskingForMaxIntTokens is issue #8's report: ten replicas each asking for
// max_tokens near 2^63 overshot a 300-token quota 17-fold, and a 1,000 TPM core passed 25,250
// tokens in about a second, because input + max_tokens wrapped negative. Against every kind of
// limit, configured as an operator would, nothing may be admitted.
func TestTenReplicasAskingForMaxIntTokens(t *testing.T) {
	echo := func(tpm int, price float64) []config.Core {
		return []config.Core{{CoreConfig: llm.CoreConfig{Name: "echo", Kind: llm.KindEcho, Models: []string{"sim-model"}, Capacity: 10},
			TPM: tpm, PriceIn: price, PriceOut: price}}
	}
	for _, c := range []struct {
		name   string
		cores  []config.Core
		quotas config.Quotas
		spent  func(w wiring) int64 // what the limit counts, after the run
		limit  int64
	}{
		{"agent tokens", echo(0, 0), config.Quotas{Agents: map[string]config.Budget{"replica": {Tokens: 300}}},
			func(w wiring) int64 { return w.ledger.Balance(quota.Agent, "replica").Used.Tokens }, 300},
		{"tenant tokens", echo(0, 0), config.Quotas{Tenants: map[string]config.Budget{"team": {Tokens: 300}}},
			func(w wiring) int64 { return w.ledger.Balance(quota.Tenant, "team").Used.Tokens }, 300},
		{"agent money", echo(0, 1), config.Quotas{Agents: map[string]config.Budget{"replica": {Money: 0.00035}}},
			func(w wiring) int64 { return int64(w.ledger.Balance(quota.Agent, "replica").Used.Money) }, 350},
		{"tenant money", echo(0, 1), config.Quotas{Tenants: map[string]config.Budget{"team": {Money: 0.00035}}},
			func(w wiring) int64 { return int64(w.ledger.Balance(quota.Tenant, "team").Used.Money) }, 350},
		{"core tpm", echo(1000, 0), config.Quotas{},
			func(w wiring) int64 { return w.ledger.Balance(quota.Tenant, "team").Used.Tokens }, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Scheduler = fastScheduler()
			cfg.Scheduler.DefaultMaxTokens = 16
			cfg.Cores, cfg.Quotas, cfg.DataDir = c.cores, c.quotas, t.TempDir()
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			w, _ := wired(t, cfg)
			prompt := strings.Repeat("word ", 200) // echoed back: 400 tokens a generation if admitted
			_, out := runAgents(t, w.kernel, "replica", 10, 1, func(i, j int) llm.Request { return ask(prompt, math.MaxInt) })
			for _, err := range out.errs {
				if !errors.Is(err, quota.ErrExhausted) && !errors.Is(err, llm.ErrBadRequest) {
					t.Errorf("unexpected error: %v", err)
				}
			}
			if out.ok != 0 || c.spent(w) > c.limit {
				t.Fatalf("%d of 10 generations admitted, %d spent against a limit of %d", out.ok, c.spent(w), c.limit)
			}
		})
	}
}
