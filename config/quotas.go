package config

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/aiosys/aios/kernel/quota"
)

// Quotas is the [quotas] table: budgets by agent name and by tenant. An agent or tenant
// without one is unlimited.
type Quotas struct {
	Agents  map[string]Budget
	Tenants map[string]Budget
}

// Budget is what an agent or tenant may spend in a period; a zero Tokens or Money is
// unlimited. With a data directory, use is counted in its quota ledger (quota.db), shared by
// every process that uses the directory; without one, over the kernel's life.
type Budget struct {
	Tokens int64   // input plus output tokens
	Money  float64 // dollars, at the cores' prices
	// Period is "daily" or "monthly" (calendar days and months in UTC) for a budget that
	// starts afresh each period; empty, the budget counts all use.
	Period string
}

func (b Budget) validate() error {
	if b.Tokens < 0 {
		return fmt.Errorf("tokens %d is negative (0 means no limit)", b.Tokens)
	}
	if b.Money < 0 || math.IsNaN(b.Money) || math.IsInf(b.Money, 0) {
		return fmt.Errorf("money %v must be a non-negative number of dollars (0 means no limit)", b.Money)
	}
	if _, err := quota.ParsePeriod(b.Period); err != nil {
		return err
	}
	return nil
}

// validate checks every budget. A token budget below the default max_tokens is fine: the
// dispatcher lowers the default of a request that sets none to the room its budgets have left.
func (q Quotas) validate() []error {
	var errs []error
	check := func(scope string, m map[string]Budget) {
		names := slices.Sorted(maps.Keys(m))
		for _, name := range names {
			b := m[name]
			if err := b.validate(); err != nil {
				errs = append(errs, fmt.Errorf("quotas.%s.%s: %w", scope, name, err))
			}
		}
	}
	check("agents", q.Agents)
	check("tenants", q.Tenants)
	return errs
}

func (b Budget) limit() quota.Limit {
	p, _ := quota.ParsePeriod(b.Period) // validated at load
	return quota.Limit{Tokens: b.Tokens, Money: quota.Dollars(b.Money), Period: p}
}

// ledger returns a ledger in memory holding q's budgets. It records use even with none set.
func (q Quotas) ledger() *quota.Ledger {
	l := quota.NewLedger()
	q.SetLimits(l)
	return l
}

// SetLimits sets q's budgets in l, as the limits of its agents and tenants (for a ledger kept in
// a data directory, quota.OpenLedger).
func (q Quotas) SetLimits(l *quota.Ledger) {
	for name, b := range q.Agents {
		l.SetLimit(quota.Agent, name, b.limit())
	}
	for name, b := range q.Tenants {
		l.SetLimit(quota.Tenant, name, b.limit())
	}
}
