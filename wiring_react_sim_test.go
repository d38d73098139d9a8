package aios_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/storage"
	"github.com/aiosys/aios/policy/audit"
)

// TestReactOnTheSimulatorWithRealTools runs samples/react against llm-d-inference-sim, which
// answers a request carrying tools with calls of them whose arguments the schemas accept, with
// the reference MCP server and the textkit Extism plugin as tools. Each tool call is run through
// policy and recorded with its outcome; each observation lands in the agent's memory and the
// answer in its storage.
func TestReactOnTheSimulatorWithRealTools(t *testing.T) {
	sim := simtest.Start(t, "--mode", "random")
	dir := t.TempDir()
	react := buildWasip1(t, "samples", "./react", filepath.Join(dir, "react.wasm"))
	plugin := buildWasip1(t, filepath.Join("plugins", "textkit"), "-buildmode=c-shared", filepath.Join(dir, "textkit.wasm"))
	everything, err := filepath.Abs(filepath.Join("tools", "mcp", "node_modules", ".bin", "mcp-server-everything"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(everything); err != nil {
		t.Fatalf("the MCP test server is not installed (%v): run scripts/ensure-mcp.sh (make deps does)", err)
	}
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
name = "everything"
kind = "mcp"
command = ["node", %q, "stdio"]
tools = ["echo", "get-sum"]

[[tools]]
name = "textkit"
kind = "extism"
path = %q

[[tools.functions]]
name = "word_count"
description = "Count words"
parameters = '{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}'
`, filepath.Join(dir, "data"), sim, everything, plugin)
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
	if un := sys.ToolsUnavailable(); len(un) > 0 {
		t.Fatalf("tools unavailable: %v", un)
	}
	wasm, err := os.ReadFile(react)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := sys.Load(ctx, "react", wasm)
	if err != nil {
		t.Fatal(err)
	}
	// The simulator calls between none and all of the offered tools on each turn, at random:
	// run the agent until a run has called some (almost always the first).
	var (
		res       *aios.Result
		toolCalls int
		runs      int
	)
	for runs < 20 && toolCalls == 0 {
		runs++
		var log bytes.Buffer
		res, err = agent.Run(ctx, aios.RunOptions{Input: []byte("Add 2 and 3."), Events: logTo(&log)})
		if err != nil {
			t.Fatal(err)
		}
		if res.ExitCode != 0 || res.Err != nil {
			t.Fatalf("react exited %d (%v); log:\n%s", res.ExitCode, res.Err, log.String())
		}
		// At most four turns: tools are offered on the first three, not on the last.
		if g := res.Usage.Generations; g < 1 || g > 4 || g == 4 && res.Usage.ToolCalls < 3 {
			t.Fatalf("%d generations and %d tool calls; log:\n%s", g, res.Usage.ToolCalls, log.String())
		}
		toolCalls += res.Usage.ToolCalls
	}
	_ = agent.Close(ctx)
	if err := sys.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if toolCalls == 0 {
		t.Fatalf("the simulator called no tool in %d runs", runs)
	}
	answer := strings.TrimSuffix(string(res.Output), "\n")

	// Every tool call is recorded with its outcome; none failed.
	alog, err := audit.Open(ctx, filepath.Join(cfg.DataDir, aios.AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	defer alog.Close()
	entries, err := alog.Query(ctx, audit.Filter{Agent: "react"})
	if err != nil {
		t.Fatal(err)
	}
	var calls, outcomes int
	for _, e := range entries {
		switch e.Call {
		case "tool_call":
			calls++
		case "tool_result":
			outcomes++
			if e.Args["outcome"] != "ok" {
				t.Errorf("tool call failed: %+v", e)
			}
		}
	}
	if calls != toolCalls || outcomes != calls {
		t.Fatalf("audit has %d tool_call and %d tool_result records for %d tool calls", calls, outcomes, toolCalls)
	}

	// Each observation is in the agent's memory; its answer in its storage.
	own := space.Of(space.Identity{Name: "react"})
	mem, err := memory.Open(filepath.Join(cfg.DataDir, aios.MemoryFile), memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if u, err := mem.Usage(ctx, own); err != nil || u.Entries != toolCalls {
		t.Fatalf("memory holds %+v (%v), want one entry per tool call (%d)", u, err, toolCalls)
	}
	st, err := storage.Open(ctx, filepath.Join(cfg.DataDir, aios.StorageFile), storage.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	item, err := st.Get(ctx, own, "answers/latest")
	if err != nil || string(item.Value) != answer || answer == "" {
		t.Fatalf("stored answer %q (%v), output %q", item.Value, err, answer)
	}
}

// buildWasip1 builds pkg in dir (relative to the repository root) for GOOS=wasip1 into out;
// pkg "-buildmode=c-shared" builds the module in dir as a reactor (an Extism plugin).
func buildWasip1(t testing.TB, dir, pkg, out string) string {
	t.Helper()
	args := []string{"build", "-o", out, pkg}
	if pkg == "-buildmode=c-shared" {
		args = []string{"build", pkg, "-o", out, "."}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, b)
	}
	return out
}

// logTo returns a RunOptions.Events that writes the agent's log lines to b.
func logTo(b *bytes.Buffer) func(kernel.Event) {
	var mu sync.Mutex
	return func(e kernel.Event) {
		if e.Kind == kernel.EventLog {
			mu.Lock()
			fmt.Fprintln(b, e.Text)
			mu.Unlock()
		}
	}
}
