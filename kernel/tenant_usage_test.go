package kernel_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
)

// tenantBudget stops the free tenant's generations at 10 output tokens, counted across all its
// processes, as samples/policies/tenant_tokens.rego does at 200000.
const tenantBudget = `package aios.policy

deny contains "tenant budget spent" if {
	input.call == "llm_generate"
	input.agent.tenant == "free"
	input.tenant_usage.output_tokens >= 10
}
`

// TestTenantUsageSharedByReplicas is issue #8's tenant_tokens case: five replicas of one tenant
// share one budget, reaped replicas included, and another tenant keeps its own.
func TestTenantUsageSharedByReplicas(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, tenantBudget)
	ctx := context.Background()
	var replicas []*kernel.Process
	for range 5 {
		p, err := g.k.Spawn(kernel.Spec{Name: "writer", Tenant: "free", Agent: writer})
		if err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, p)
	}
	// Each replica generates twice, concurrently: 10 output tokens for the tenant, 2 each.
	var wg sync.WaitGroup
	for _, p := range replicas {
		wg.Go(func() {
			for range 2 {
				if _, err := p.Generate(ctx, llm.Request{Model: "small", Messages: user("hi")}, nil); err != nil {
					t.Errorf("generation within the tenant's budget: %v", err)
				}
			}
		})
	}
	wg.Wait()
	// One replica exits and is reaped; what it used still counts.
	replicas[0].Exit(0)
	if _, ok := g.k.Reap(replicas[0].PID()); !ok {
		t.Fatal("reap")
	}
	for _, p := range replicas[1:] {
		if got := p.Info().Usage.OutputTokens; got != 2 {
			t.Fatalf("replica used %d output tokens, want 2", got)
		}
		_, err := p.Generate(ctx, llm.Request{Model: "small", Messages: user("hi")}, nil)
		if !errors.Is(err, kernel.ErrDenied) {
			t.Errorf("replica %d generated past the tenant's shared budget: %v", p.PID(), err)
		}
	}
	// A new replica of the same tenant starts with the tenant's usage, not a fresh budget.
	late, err := g.k.Spawn(kernel.Spec{Name: "writer", Tenant: "free", Agent: writer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := late.Generate(ctx, llm.Request{Model: "small", Messages: user("hi")}, nil); !errors.Is(err, kernel.ErrDenied) {
		t.Errorf("a new replica got a fresh budget: %v", err)
	}
	other, err := g.k.Spawn(kernel.Spec{Name: "writer", Tenant: "acme", Agent: writer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Generate(ctx, llm.Request{Model: "small", Messages: user("hi")}, nil); err != nil {
		t.Errorf("another tenant was stopped by the free tenant's budget: %v", err)
	}
	es := g.entries(t, "llm_generate")
	if last := es[len(es)-2]; last.Allow || last.Reason != "tenant budget spent" {
		t.Errorf("audit of the late replica's call = %+v, want a denial for the tenant budget", last)
	}
}

// TestTenantUsageOnlyWhenRead: a policy that does not read tenant_usage sees zeros there,
// because the kernel does not sum what nobody reads.
func TestTenantUsageOnlyWhenRead(t *testing.T) {
	e, err := policy.New(context.Background(), policy.Config{Paths: []string{writeRego(t, tenantBudget)}})
	if err != nil {
		t.Fatal(err)
	}
	if !e.ReadsTenantUsage() {
		t.Error("a policy reading input.tenant_usage.output_tokens: ReadsTenantUsage = false")
	}
	e, err = policy.New(context.Background(), policy.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e.ReadsTenantUsage() {
		t.Error("the default policy: ReadsTenantUsage = true")
	}
}

func writeRego(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "p.rego")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
