package toolbench

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/tools"
	"github.com/aiosys/aios/policy"
)

// The tools of the benchmarks: server-everything's echo, textkit's word_count.
const (
	EchoTool      = "echo"
	WordCountTool = "word_count"
)

// wordCountSchema is word_count's parameters as its [[tools.functions]] entry declares them.
const wordCountSchema = `{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}`

// Tools is what a benchmark system offers: a stdio MCP server, an Extism plugin, or both.
type Tools struct {
	// MCP is the argv of a stdio MCP server offering EchoTool; nil for none.
	MCP []string
	// Plugin is the path of the textkit plugin offering WordCountTool; empty for none.
	Plugin string
}

// NewProcess builds a system with aios.New, as `aios run` does, from a configuration with a
// data directory in a temporary directory, the tools of t, and a [policy] table granting every
// agent those tools; with audit false, the table also says audit = false. It returns a process
// of agent "bench" whose manifest declares the tools. The system is closed when tb ends.
func NewProcess(tb testing.TB, t Tools, audit bool) *kernel.Process {
	tb.Helper()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(tb.TempDir(), "data")
	var names []string
	if t.MCP != nil {
		cfg.Tools = append(cfg.Tools, config.Tool{Name: "everything", Kind: tools.KindMCP, Command: t.MCP, Tools: []string{EchoTool}})
		names = append(names, EchoTool)
	}
	if t.Plugin != "" {
		cfg.Tools = append(cfg.Tools, config.Tool{Name: "textkit", Kind: tools.KindExtism, Path: t.Plugin,
			Functions: []config.ToolFunction{{Name: WordCountTool, Description: "Count words", Parameters: json.RawMessage(wordCountSchema)}}})
		names = append(names, WordCountTool)
	}
	cfg.Policy = config.Policy{Configured: true, NoAudit: !audit, Engine: policy.Config{
		Grants: []policy.Grant{{Agent: "*", Capabilities: policy.Capabilities{Tools: names}}}}}
	if err := cfg.Validate(); err != nil {
		tb.Fatalf("configuration: %v", err)
	}
	ctx := context.Background()
	sys, err := aios.New(ctx, cfg)
	if err != nil {
		tb.Fatalf("build system: %v", err)
	}
	tb.Cleanup(func() { _ = sys.Close(ctx) })
	if un := sys.ToolsUnavailable(); len(un) > 0 {
		tb.Fatalf("tools unavailable: %v", un)
	}
	p, err := sys.Kernel().Spawn(kernel.Spec{Name: "bench", Tenant: "bench",
		Agent: policy.Agent{Capabilities: policy.Capabilities{Tools: names}}})
	if err != nil {
		tb.Fatalf("spawn: %v", err)
	}
	return p
}

// CallTool calls tool name through p and fails unless the tool answered without an error.
func CallTool(ctx context.Context, p *kernel.Process, name string, args json.RawMessage) (string, error) {
	res, err := p.ToolCall(ctx, name, args)
	return answer(name, res, err)
}
