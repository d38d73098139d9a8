package kernel_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/policy/audit"
)

// recorder is a core that answers every request and remembers what it was asked.
type recorder struct {
	mu   sync.Mutex
	reqs []llm.Request
}

func (r *recorder) Name() string     { return "rec" }
func (r *recorder) Models() []string { return nil }
func (r *recorder) Generate(_ context.Context, req llm.Request, _ func(llm.Chunk)) (llm.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	return llm.Response{Text: "ok", Core: "rec", Usage: llm.Usage{InputTokens: 1, OutputTokens: 1}}, nil
}

func (r *recorder) last() llm.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[len(r.reqs)-1]
}

// gated is a kernel over a recorder core behind a real policy engine and audit log.
type gated struct {
	k     *kernel.Kernel
	core  *recorder
	audit *audit.Log
}

// classes resolves "small-model" to class small and "large-model" to class large; a class name
// to itself; "" to the default model.
func classes(name string) (string, string) {
	switch name {
	case "small", "large":
		return "", name
	case "small-model":
		return name, "small"
	case "large-model":
		return name, "large"
	case "":
		return kernel.DefaultModel, ""
	}
	return name, ""
}

// newGated builds a gated kernel. rego, when not empty, is an operator policy file; opts add to
// the kernel's options.
func newGated(t *testing.T, pc policy.Config, gc kernel.GateConfig, rego string, opts ...kernel.Option) *gated {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if rego != "" {
		f := filepath.Join(dir, "operator.rego")
		if err := os.WriteFile(f, []byte(rego), 0o644); err != nil {
			t.Fatal(err)
		}
		pc.Paths = append(pc.Paths, f)
	}
	eng, err := policy.New(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	gc.Policy, gc.Audit, gc.Resolve = eng, log, classes
	g, err := kernel.NewGate(gc)
	if err != nil {
		t.Fatal(err)
	}
	core := &recorder{}
	return &gated{k: kernel.New(core, append(opts, kernel.WithGate(g))...), core: core, audit: log}
}

// entries returns the audit entries for call.
func (g *gated) entries(t *testing.T, call string) []audit.Entry {
	t.Helper()
	all, err := g.audit.Query(context.Background(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, e := range all {
		if e.Call == call {
			out = append(out, e)
		}
	}
	return out
}

// smallOnly grants every agent the small class and its model.
var smallOnly = policy.Config{Grants: []policy.Grant{{Agent: "*", Capabilities: policy.Capabilities{
	Models: []string{"small-model", kernel.DefaultModel}, Classes: []string{"small"}}}}}

// writer is an agent declaring the small class.
var writer = policy.Agent{Name: "writer", Version: "1.0.0", Digest: "sha256:abc",
	Capabilities: policy.Capabilities{Classes: []string{"small"}}}
