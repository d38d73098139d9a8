package aios

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/policy/audit"
)

func TestSystemReloadsPolicyAndKeepsTheLastGoodOne(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	rego := filepath.Join(dir, "p.rego")
	write := func(src string) {
		t.Helper()
		if err := os.WriteFile(rego, []byte("package aios.policy\n"+src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`deny contains "closed" if input.call == "start"` + "\n")
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Policy = config.Policy{Configured: true, Engine: policy.Config{Paths: []string{rego}, PollInterval: 20 * time.Millisecond,
		Grants: []policy.Grant{{Agent: "*", Capabilities: policy.Capabilities{Models: []string{"*"}}}}}}
	sys, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sys.Kernel().Spawn(kernel.Spec{Name: "a"}); !errors.Is(err, kernel.ErrDenied) {
		t.Fatalf("spawn under the closing policy: %v", err)
	}
	spawnable := func() bool {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := sys.Kernel().Spawn(kernel.Spec{Name: "a"}); err == nil {
				return true
			}
			time.Sleep(20 * time.Millisecond)
		}
		return false
	}
	// Same size, so the change is seen by its modification time (and the content, on reload).
	time.Sleep(30 * time.Millisecond)
	write(`deny contains "closed" if input.call == "xxxxx"` + "\n")
	if !spawnable() {
		t.Fatal("the edited policy was not reloaded")
	}
	write("deny contains x if { x := undefined_thing }\n")
	time.Sleep(200 * time.Millisecond) // several polls: the broken file is refused
	if _, err := sys.Kernel().Spawn(kernel.Spec{Name: "a"}); err != nil {
		t.Fatalf("a broken policy replaced the good one: %v", err)
	}
	if err := sys.Close(ctx); err != nil {
		t.Fatal(err)
	}

	log, err := audit.Open(ctx, filepath.Join(cfg.DataDir, AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	denied, err := log.Query(ctx, audit.Filter{Denied: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(denied) == 0 || denied[0].Call != policy.StartCall || denied[0].Reason != "closed" {
		t.Errorf("audit log after Close: %+v, want the denied start", denied)
	}
}

func TestRoutesResolve(t *testing.T) {
	cfg := config.Default()
	cfg.Cores = []config.Core{
		{CoreConfig: llm.CoreConfig{Name: "a", Kind: llm.KindEcho, Models: []string{"m1", "m2"}}, Class: "small"},
		{CoreConfig: llm.CoreConfig{Name: "b", Kind: llm.KindEcho, Models: []string{"m2"}}, Class: "large"},
	}
	cfg.Aliases = map[string]string{"fast": "small", "best": "m1"}
	r := newRoutes(cfg, nil)
	for _, c := range []struct{ name, model, class string }{
		{"small", "", "small"},
		{"fast", "", "small"},
		{"m1", "m1", "small"},
		{"best", "m1", "small"},
		{"m2", "m2", ""}, // served by both classes
		{"", kernel.DefaultModel, ""},
		{"other", "other", ""},
	} {
		m, cl := r.resolve(c.name)
		if m != c.model || cl != c.class {
			t.Errorf("resolve(%q) = %q, %q; want %q, %q", c.name, m, cl, c.model, c.class)
		}
	}
	echo, err := llm.NewEcho(llm.CoreConfig{Name: "a", Kind: llm.KindEcho})
	if err != nil {
		t.Fatal(err)
	}
	replaced := newRoutes(cfg, []llm.Core{echo}) // a replacement takes its namesake's class
	if m, cl := replaced.resolve(""); m != kernel.DefaultModel || cl != "small" {
		t.Errorf("replaced: resolve(\"\") = %q, %q; want the default model of class small", m, cl)
	}
}
