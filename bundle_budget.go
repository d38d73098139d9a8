package aios

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/packager/bundle"
)

// bundleBudget reads the per-run budget a bundle's manifest declares ([budgets]: tokens and
// usd) from its bytes; a plain module, without a manifest, has none. The manifest is read
// whether or not its signature was checked: a budget can only lower what a run may spend, so a
// forged one harms no one but its forger.
func bundleBudget(wasm []byte) (quota.Limit, error) {
	if len(wasm) > bundle.MaxBundleSize {
		return quota.Limit{}, nil // too large to be a bundle: a plain module
	}
	b, err := bundle.Open(wasm)
	if errors.Is(err, bundle.ErrNoManifest) {
		return quota.Limit{}, nil
	}
	if err != nil {
		return quota.Limit{}, fmt.Errorf("read the bundle's budgets: %w", err)
	}
	m := b.Manifest()
	money, err := parseUSD(m.Budgets.USD)
	if err != nil {
		return quota.Limit{}, fmt.Errorf("read the bundle's budgets: usd: %w", err)
	}
	return quota.Limit{Tokens: max(m.Budgets.Tokens, 0), Money: money}, nil
}

// parseUSD converts a manifest's decimal dollar amount ("0.50", at most six decimals) to
// micro-units exactly, saturating at the largest Cost; "" is zero (no budget).
func parseUSD(s string) (quota.Cost, error) {
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 6 || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a decimal amount with at most 6 decimals", s)
	}
	micros, err := strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	dollars, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || dollars > (math.MaxInt64-micros)/1_000_000 {
		return math.MaxInt64, nil // all digits, so only too large: as good as no budget
	}
	return quota.Cost(dollars*1_000_000 + micros), nil
}

// spentIn is what the generations and embeddings among calls, a durable run's journaled
// calls, used: their tokens, and their cost at the prices of the configured cores they name.
// It is counted only for an agent with a budget of its own, the one account it is for.
func (a *Agent) spentIn(calls []*hostcalls.Call) quota.Amount {
	var spent quota.Amount
	if a.budget == (quota.Limit{}) {
		return spent
	}
	for _, c := range calls {
		if c.Module != hostcalls.ModuleAIOS || hostcalls.Errno(c.Errno()) != hostcalls.OK {
			continue
		}
		switch c.Name {
		case "llm_generate", "llm_embed", "poll", "wait":
		default:
			continue
		}
		for _, d := range c.Delivered {
			u, ok := usageOf(d.Body)
			if !ok {
				continue
			}
			spent.Tokens = quota.Add(spent.Tokens, quota.Add(max(int64(u.InputTokens), 0), max(int64(u.OutputTokens), 0)))
			spent.Money = quota.Add(spent.Money, a.sys.price(u.core, u.Usage))
		}
	}
	return spent
}

// spentUsage is the part of a GenerateResponse or EmbedResponse that says what it used.
type spentUsage struct {
	core string
	llm.Usage
}

// usageOf reads what a delivered result used, when it is a generation's or an embedding's:
// it names the core that made it and has a finish reason or vectors.
func usageOf(body []byte) (spentUsage, bool) {
	var r struct {
		Core         string          `json:"core"`
		FinishReason *string         `json:"finish_reason"`
		Vectors      json.RawMessage `json:"vectors"`
		Usage        llm.Usage       `json:"usage"`
	}
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &r) != nil || r.Core == "" || (r.FinishReason == nil && r.Vectors == nil) {
		return spentUsage{}, false
	}
	return spentUsage{core: r.Core, Usage: r.Usage}, true
}

// price is what u costs on the configured core named core; zero for a core without prices.
func (s *System) price(core string, u llm.Usage) quota.Cost {
	for _, c := range s.cfg.Cores {
		if c.Name == core {
			return quota.Charge(max(int64(u.InputTokens), 0), max(int64(u.OutputTokens), 0), quota.Dollars(c.PriceIn), quota.Dollars(c.PriceOut))
		}
	}
	return 0
}

// chargeSpent charges spent, what a resumed durable run spent before it was interrupted, to
// the run's own account that the kernel opened for proc (a bundle's [budgets]), so that the
// run cannot spend its budget twice. The agent's and tenant's accounts were charged when it
// was spent and are not charged again.
func (a *Agent) chargeSpent(proc *kernel.Process, spent quota.Amount) error {
	if spent == (quota.Amount{}) || a.budget == (quota.Limit{}) {
		return nil
	}
	// The kernel names a process's own account name[pid] (kernel/budget.go). Carving all that
	// is left and settling it at spent charges that account alone, even past its limit.
	acct := fmt.Sprintf("%s[%d]", proc.Name(), proc.PID())
	hold, err := a.sys.ledger.Carve(acct, quota.Amount{})
	if err != nil {
		return fmt.Errorf("charge the run's budget with what it spent before it was resumed: %w", err)
	}
	hold.Settle(spent)
	return nil
}
