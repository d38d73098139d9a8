package server

import (
	"net/http"
	"sync"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/quota"
)

// usageBook sums the usage of each tenant's finished runs since the server started; it
// outlives the runs the store forgets.
type usageBook struct {
	mu       sync.Mutex
	tenants  map[string]client.Usage
	finished map[string]int
}

func newUsageBook() *usageBook {
	return &usageBook{tenants: map[string]client.Usage{}, finished: map[string]int{}}
}

func (b *usageBook) add(tenant string, u kernel.Usage) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, add := b.tenants[tenant], usageOf(u)
	t.Calls += add.Calls
	t.Denied += add.Denied
	t.Generations += add.Generations
	t.ToolCalls += add.ToolCalls
	t.InputTokens += add.InputTokens
	t.OutputTokens += add.OutputTokens
	t.Cost += add.Cost
	b.tenants[tenant] = t
	b.finished[tenant]++
}

// getUsage is GET /v1/usage: what the tenant's finished runs used since the server started, how
// many runs of the tenant the server holds now, and its budget in the quota ledger.
func (s *Server) getUsage(w http.ResponseWriter, _ *http.Request, tenant string) {
	s.usage.mu.Lock()
	out := client.TenantUsage{Tenant: tenant, Usage: s.usage.tenants[tenant], Finished: s.usage.finished[tenant]}
	s.usage.mu.Unlock()
	out.Runs = len(s.runs.list(tenant))
	b, err := s.sys.Ledger().Lookup(quota.Tenant, tenant)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "quota ledger: "+err.Error())
		return
	}
	out.Budget = client.Budget{Period: b.Limit.Period.String(),
		TokensLimit: max(b.Limit.Tokens, 0), CostLimit: max(int64(b.Limit.Money), 0),
		TokensUsed: max(b.Used.Tokens, 0), CostUsed: max(int64(b.Used.Money), 0),
		TokensReserved: max(b.Reserved.Tokens, 0), CostReserved: max(int64(b.Reserved.Money), 0)}
	writeJSON(w, http.StatusOK, out)
}
