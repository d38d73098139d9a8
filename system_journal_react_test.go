package aios_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/journal"
)

// TestDurableReactOnTheSimulatorReplaysWithNothingConfigured records samples/react against
// llm-d-inference-sim in random mode (random text, random tool calls) with the textkit Extism
// plugin as a tool, and samples/hello (a streaming generation), and replays both on a system
// with no core, tool, memory or storage: each replay is identical.
func TestDurableReactOnTheSimulatorReplaysWithNothingConfigured(t *testing.T) {
	sim := simtest.Start(t, "--mode", "random")
	dir := t.TempDir()
	react := buildWasip1(t, "samples", "./react", filepath.Join(dir, "react.wasm"))
	hello := buildWasip1(t, "samples", "./hello", filepath.Join(dir, "hello.wasm"))
	plugin := buildWasip1(t, filepath.Join("plugins", "textkit"), "-buildmode=c-shared", filepath.Join(dir, "textkit.wasm"))
	toml := fmt.Sprintf(`data_dir = %q
[[cores]]
name = "sim"
kind = "openai"
base_url = %q
models = ["sim-model"]
capacity = 4

[scheduler]
default_max_tokens = 32

[[tools]]
name = "textkit"
kind = "extism"
path = %q

[[tools.functions]]
name = "word_count"
description = "Count words"
parameters = '{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}'
`, filepath.Join(dir, "data"), sim, plugin)
	path := filepath.Join(dir, "aios.toml")
	if err := os.WriteFile(path, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sys, err := aios.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(ctx)
	store, err := journal.Open(filepath.Join(cfg.DataDir, aios.JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	replaySys, err := aios.New(ctx, config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer replaySys.Close(ctx)

	for _, c := range []struct{ name, path, input string }{
		{"react", react, "Count the words of: the sky is blue."},
		{"hello", hello, "Why is the sky blue?"},
	} {
		wasm, err := os.ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		agent, err := sys.Load(ctx, c.name, wasm)
		if err != nil {
			t.Fatal(err)
		}
		// The simulator calls between none and all of the offered tools, at random: run react
		// until a run has called one (almost always within a few).
		var res *aios.Result
		var rec journal.Run
		for tries := 0; tries < 20; tries++ {
			res, rec, err = agent.RunDurable(ctx, store, journal.Run{Module: c.path}, aios.RunOptions{Input: []byte(c.input)})
			if err != nil || res.ExitCode != 0 || res.Err != nil {
				t.Fatalf("%s: %v, exit %d, %v", c.name, err, res.ExitCode, res.Err)
			}
			if c.name != "react" || res.Usage.ToolCalls > 0 {
				break
			}
		}
		if res.Usage.Generations == 0 || c.name == "react" && res.Usage.ToolCalls == 0 {
			t.Fatalf("%s: %d generations, %d tool calls", c.name, res.Usage.Generations, res.Usage.ToolCalls)
		}
		calls, _ := aios.JournalCalls(store, rec.ID)
		names := map[string]int{}
		for _, call := range calls {
			names[call.Name]++
		}
		t.Logf("%s journaled %v; %d tool calls", c.name, names, res.Usage.ToolCalls)

		again, err := replaySys.Load(ctx, c.name, wasm)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := again.Replay(ctx, store, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Identical() || !bytes.Equal(rep.Result.Output, res.Output) {
			t.Errorf("%s: replay diverged: %v; output %q, recorded %q", c.name, rep.Divergence, rep.Result.Output, res.Output)
		}
	}
}
