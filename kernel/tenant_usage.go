package kernel

import (
	"math"
	"sync"

	"github.com/aiosys/aios/policy"
)

// tenantIndex knows every process of each tenant, so that policy can see a tenant's usage
// across all its processes (input.tenant_usage): five replicas of one tenant then share one
// budget instead of getting five. The zero value is ready to use.
//
// Usage is summed when a decision needs it, over the tenant's processes in the table plus
// what reaped ones used, rather than kept as a running total at every place a process's usage
// grows: those places are many and change, and a total missed at one would be silently low.
// The cost is one short lock per process of the tenant, paid only when the policy in force
// reads tenant_usage (see tenantUsageReader).
type tenantIndex struct {
	mu      sync.Mutex
	live    map[string]map[*Process]struct{}
	retired map[string]policy.Usage // usage of the tenant's reaped processes
}

// join adds a spawned process.
func (t *tenantIndex) join(p *Process) {
	tenant := p.agent().Tenant
	if tenant == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.live == nil {
		t.live = map[string]map[*Process]struct{}{}
	}
	if t.live[tenant] == nil {
		t.live[tenant] = map[*Process]struct{}{}
	}
	t.live[tenant][p] = struct{}{}
}

// leave moves a reaped process's usage into its tenant's retired total.
func (t *tenantIndex) leave(p *Process) {
	tenant := p.agent().Tenant
	if tenant == "" {
		return
	}
	u := p.policyUsage()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.live[tenant][p]; !ok {
		return
	}
	delete(t.live[tenant], p)
	if len(t.live[tenant]) == 0 {
		delete(t.live, tenant)
	}
	if t.retired == nil {
		t.retired = map[string]policy.Usage{}
	}
	t.retired[tenant] = addUsage(t.retired[tenant], u)
}

// usage is what p's tenant has used: p's own usage own, plus every other process of the
// tenant, live or reaped. A process without a tenant is a tenant of its own.
func (t *tenantIndex) usage(p *Process, own policy.Usage) policy.Usage {
	tenant := p.agent().Tenant
	if tenant == "" {
		return own
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	sum := addUsage(t.retired[tenant], own)
	for q := range t.live[tenant] {
		if q != p {
			sum = addUsage(sum, q.policyUsage())
		}
	}
	return sum
}

// addUsage returns a+b, saturating rather than wrapping.
func addUsage(a, b policy.Usage) policy.Usage {
	return policy.Usage{
		Calls: satAdd(a.Calls, b.Calls), Generations: satAdd(a.Generations, b.Generations),
		ToolCalls: satAdd(a.ToolCalls, b.ToolCalls), InputTokens: satAdd(a.InputTokens, b.InputTokens),
		OutputTokens: satAdd(a.OutputTokens, b.OutputTokens), CostMicroUSD: satAdd(a.CostMicroUSD, b.CostMicroUSD),
	}
}

func satAdd(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}

// tenantUsageReader is a Decider that tells whether the policy in force reads
// input.tenant_usage; *policy.Engine is one. A Decider that is not always gets it.
type tenantUsageReader interface {
	ReadsTenantUsage() bool
}

// readsTenantUsage reports whether the gate's policy needs input.tenant_usage.
func (g *Gate) readsTenantUsage() bool {
	r, ok := g.cfg.Policy.(tenantUsageReader)
	return !ok || r.ReadsTenantUsage()
}
