package aios

import (
	"context"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

func TestNewWithoutCoresUsesEchoThroughTheDispatcher(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	sys, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(ctx)
	if !sys.EchoOnly() {
		t.Error("a system with no cores configured is not echo-only")
	}
	p, _ := sys.Kernel().Spawn(kernel.Spec{Name: "agent", Tenant: "t"})
	resp, err := p.Generate(ctx, llm.Request{Messages: []llm.Message{{Role: "user", Content: "hello there"}}}, nil)
	if err != nil || resp.Core != llm.EchoName {
		t.Fatalf("generate: %+v, %v", resp, err)
	}
	if c := p.Info().Usage.Cores[llm.EchoName]; c.Generations != 1 || c.OutputTokens != 2 {
		t.Errorf("echo core usage %+v, want one generation of 2 output tokens", c)
	}
	if used := sys.Ledger().Balance(quota.Agent, "agent").Used; used.Tokens != 4 {
		t.Errorf("ledger used %+v, want the 4 tokens of the generation", used)
	}
}

func TestWireTakesSettingsOfTheReplacedCore(t *testing.T) {
	cfg := config.Default()
	cfg.Cores = []config.Core{{CoreConfig: llm.CoreConfig{Name: "e", Kind: llm.KindEcho, Models: []string{"m"}, Capacity: 1}, Class: "fast"}}
	echo, err := llm.New(llm.CoreConfig{Name: "e", Kind: llm.KindEcho})
	if err != nil {
		t.Fatal(err)
	}
	w, err := wire(cfg, []llm.Core{echo})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := w.kernel.Spawn(kernel.Spec{Name: "agent"})
	req := llm.Request{Model: "fast", Messages: []llm.Message{{Role: "user", Content: "hi"}}}
	if resp, err := p.Generate(context.Background(), req, nil); err != nil || resp.Core != "e" {
		t.Fatalf("class of the configured core: %+v, %v", resp, err)
	}

	cfg.Aliases = map[string]string{"x": "nothing-serves-this"}
	if _, err := wire(cfg, []llm.Core{echo}); err == nil {
		t.Error("wire accepted an alias that points at nothing")
	}
}
