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

// Budget is what an agent or tenant may spend over the kernel's life; a zero field is
// unlimited.
type Budget struct {
	Tokens int64   // input plus output tokens
	Money  float64 // dollars, at the cores' prices
}

func (b Budget) validate() error {
	if b.Tokens < 0 {
		return fmt.Errorf("tokens %d is negative (0 means no limit)", b.Tokens)
	}
	if b.Money < 0 || math.IsNaN(b.Money) || math.IsInf(b.Money, 0) {
		return fmt.Errorf("money %v must be a non-negative number of dollars (0 means no limit)", b.Money)
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
	return quota.Limit{Tokens: b.Tokens, Money: quota.Dollars(b.Money)}
}

// ledger returns a ledger holding q's budgets. It records use even with none set.
func (q Quotas) ledger() *quota.Ledger {
	l := quota.NewLedger()
	for name, b := range q.Agents {
		l.SetLimit(quota.Agent, name, b.limit())
	}
	for name, b := range q.Tenants {
		l.SetLimit(quota.Tenant, name, b.limit())
	}
	return l
}
