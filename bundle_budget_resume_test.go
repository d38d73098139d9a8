package aios

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/packager/bundle"
)

// journaledSpend sums what the successful generations of calls used, tokens and money at $1
// per million tokens.
func journaledSpend(t *testing.T, store *journal.Store, id string, upTo int) (gens int, spent quota.Amount) {
	t.Helper()
	calls, err := JournalCalls(store, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls[:min(upTo, len(calls))] {
		if c.Name != "llm_generate" || c.Errno() != 0 {
			continue
		}
		u, ok := usageOf(c.Delivered[0].Body)
		if !ok {
			t.Fatalf("call %d's result %q is not a generation's", c.Index, c.Delivered[0].Body)
		}
		gens++
		spent.Tokens += int64(u.InputTokens + u.OutputTokens)
		spent.Money += quota.Charge(int64(u.InputTokens), int64(u.OutputTokens), quota.Dollars(1), quota.Dollars(1))
	}
	return gens, spent
}

// TestResumedRunKeepsItsBundleBudget runs a bundle with a per-run budget durably until the
// budget stops it, cuts its journal back to two generations as a kill would have left it,
// and resumes it: the resumed run's own account starts with what the two journaled
// generations spent, so the run as a whole spends no more than its budget, and the agent's
// and tenant's ledgers are charged only for the generations sent again.
func TestResumedRunKeepsItsBundleBudget(t *testing.T) {
	for _, c := range []struct {
		name    string
		budgets bundle.Budgets
		limit   quota.Amount
	}{
		{"tokens", bundle.Budgets{Tokens: 60}, quota.Amount{Tokens: 60}},
		{"money", bundle.Budgets{USD: "0.00006"}, quota.Amount{Money: quota.Dollars(0.00006)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			module, err := os.ReadFile("testdata/spend.wasm")
			if err != nil {
				t.Fatal(err)
			}
			wasm, err := bundle.Pack(module, bundle.Manifest{Name: "spend", Version: "1.0.0", Budgets: c.budgets})
			if err != nil {
				t.Fatal(err)
			}
			cfg := config.Default()
			cfg.DataDir = t.TempDir()
			cfg.Cores = []config.Core{{CoreConfig: llm.CoreConfig{Name: "priced", Kind: llm.KindEcho}, PriceIn: 1, PriceOut: 1}}
			cfg.Quotas.Agents = map[string]config.Budget{"spend": {Tokens: 1 << 40}}
			cfg.Quotas.Tenants = map[string]config.Budget{"acme": {Tokens: 1 << 40}}
			a := loadDurableAs(t, cfg, "spend", wasm)
			store, err := journal.Open(filepath.Join(cfg.DataDir, JournalDir), journal.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()

			res, rec, err := a.RunDurable(ctx, store, journal.Run{}, RunOptions{Tenant: "acme"})
			if err != nil || res.Err != nil || res.Usage.BudgetRefusals != 1 {
				t.Fatalf("run: %v, %+v", err, res)
			}
			full, whole := journaledSpend(t, store, rec.ID, rec.Calls)
			if full < 4 || whole.Tokens > 60 && c.limit.Tokens > 0 || whole.Money > c.limit.Money && c.limit.Money > 0 {
				t.Fatalf("the uninterrupted run made %d generations spending %+v", full, whole)
			}

			// A kill after the second generation: the journal holds the first two.
			if err := store.CutBack(rec.ID, 2); err != nil {
				t.Fatal(err)
			}
			rec.Status, rec.Calls = journal.Running, 2
			if err := store.SaveRun(rec); err != nil {
				t.Fatal(err)
			}
			_, before := journaledSpend(t, store, rec.ID, 2)
			ledger := a.sys.Ledger()
			agentBefore, tenantBefore := ledger.Balance(quota.Agent, "spend").Used, ledger.Balance(quota.Tenant, "acme").Used

			res, rec, err = a.Resume(ctx, store, rec.ID, RunOptions{})
			if err != nil || res.Err != nil || res.Usage.BudgetRefusals != 1 {
				t.Fatalf("resume: %v, %+v", err, res)
			}
			gens, total := journaledSpend(t, store, rec.ID, rec.Calls)
			if gens != full || total != whole {
				t.Errorf("the resumed run made %d generations spending %+v; uninterrupted, %d spending %+v", gens, total, full, whole)
			}
			if c.limit.Tokens > 0 && total.Tokens > c.limit.Tokens || c.limit.Money > 0 && total.Money > c.limit.Money {
				t.Errorf("the run spent %+v in all, over its budget %+v", total, c.limit)
			}
			live := quota.Amount{Tokens: total.Tokens - before.Tokens, Money: total.Money - before.Money}
			agentAfter, tenantAfter := ledger.Balance(quota.Agent, "spend").Used, ledger.Balance(quota.Tenant, "acme").Used
			if d := (quota.Amount{Tokens: agentAfter.Tokens - agentBefore.Tokens, Money: agentAfter.Money - agentBefore.Money}); d != live {
				t.Errorf("the agent's ledger was charged %+v by the resume, want %+v (the live generations only)", d, live)
			}
			if d := (quota.Amount{Tokens: tenantAfter.Tokens - tenantBefore.Tokens, Money: tenantAfter.Money - tenantBefore.Money}); d != live {
				t.Errorf("the tenant's ledger was charged %+v by the resume, want %+v", d, live)
			}
		})
	}
}
