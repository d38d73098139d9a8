package aios

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
)

func TestCoresShowKindAndThroughput(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Policy = config.Policy{Configured: true, Engine: policy.Config{
		Grants: []policy.Grant{{Agent: "*", Capabilities: policy.Capabilities{Models: []string{"*"}}}}}}
	sys, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close(context.Background()) })
	p, err := sys.Kernel().Spawn(kernel.Spec{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Generate(ctx, llm.Request{Messages: []llm.Message{{Role: "user", Content: "hello there"}}}, nil); err != nil {
		t.Fatal(err)
	}
	cores := sys.Cores()
	if len(cores) != 1 || cores[0].Name != "echo" || cores[0].Kind != llm.KindEcho {
		t.Fatalf("cores = %+v, want the echo core of kind echo", cores)
	}
	// TokensPerSecond is not checked: it depends on how long the generation took. The
	// dispatcher's tests check it on a clock of their own.
	if c := cores[0]; c.InFlight != 0 || c.Waiting != 0 || c.CoolingFor != 0 || c.Tokens <= 0 {
		t.Fatalf("echo core = %+v, want it idle, in rotation, with the generation's tokens counted", c)
	}
}
