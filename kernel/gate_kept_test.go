package kernel_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
)

// keptRig is a kernel over a recorder core behind a real policy engine whose operator policy
// is the file rego, which a test may rewrite and reload.
type keptRig struct {
	eng  *policy.Engine
	file string
	p    *kernel.Process
}

func newKeptRig(t *testing.T, rego string) *keptRig {
	t.Helper()
	r := &keptRig{file: filepath.Join(t.TempDir(), "operator.rego")}
	r.write(t, rego)
	pc := anyClass
	pc.Paths = []string{r.file}
	eng, err := policy.New(context.Background(), pc)
	if err != nil {
		t.Fatal(err)
	}
	r.eng = eng
	g, err := kernel.NewGate(kernel.GateConfig{Policy: eng, Resolve: classes})
	if err != nil {
		t.Fatal(err)
	}
	k := kernel.New(&recorder{}, kernel.WithGate(g))
	if r.p, err = k.Spawn(kernel.Spec{Name: "writer", Agent: anything}); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *keptRig) write(t *testing.T, rego string) {
	t.Helper()
	if err := os.WriteFile(r.file, []byte("package aios.policy\n"+rego), 0o644); err != nil {
		t.Fatal(err)
	}
}

// generate asks for one generation of max tokens and reports whether policy denied it.
func (r *keptRig) generate(t *testing.T, max int) (denied bool) {
	t.Helper()
	_, err := r.p.Generate(context.Background(), llm.Request{Model: "small-model", MaxTokens: max, Messages: user("hi")}, nil)
	if err != nil && !errors.Is(err, kernel.ErrDenied) {
		t.Fatal(err)
	}
	return err != nil
}

// TestKeptGenerationDecision: a process keeps its last generation's decision while the policy
// in force decides on the agent, call and arguments alone, so a repeated generation builds no
// input and looks nothing up (a cache hit that is not a miss); a generation with other
// arguments is decided afresh, and a reload voids what was kept.
func TestKeptGenerationDecision(t *testing.T) {
	r := newKeptRig(t, `deny contains "too long" if { input.call == "llm_generate"; input.args.max_tokens > 100 }`)
	steps := []struct {
		max    int
		denied bool
	}{{50, false}, {50, false}, {500, true}, {500, true}, {50, false}}
	before := r.eng.CacheStats()
	for i, s := range steps {
		if got := r.generate(t, s.max); got != s.denied {
			t.Fatalf("step %d (max_tokens %d): denied %v, want %v", i, s.max, got, s.denied)
		}
	}
	// Three distinct decisions (50, 500, 50 again: the process keeps only its last), and the
	// two repeats reused.
	st := r.eng.CacheStats()
	if misses, hits := st.Misses-before.Misses, st.Hits-before.Hits; misses != 2 || hits != 3 {
		t.Errorf("%d misses and %d hits, want 2 misses (50, 500) and 3 hits (a repeat of each kept, 50 again from the cache)", misses, hits)
	}

	r.write(t, `deny contains "closed" if input.call == "llm_generate"`)
	if err := r.eng.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !r.generate(t, 50) {
		t.Fatal("a generation allowed before a reload that denies it was still allowed after it")
	}
}

// TestKeptGenerationDecisionNotForUsage: under a policy that reads the process's usage, every
// generation is decided with its usage; none is kept.
func TestKeptGenerationDecisionNotForUsage(t *testing.T) {
	r := newKeptRig(t, `deny contains "two is enough" if { input.call == "llm_generate"; input.usage.generations >= 2 }`)
	for i, want := range []bool{false, false, true, true} {
		if got := r.generate(t, 50); got != want {
			t.Fatalf("generation %d: denied %v, want %v", i+1, got, want)
		}
	}
}
