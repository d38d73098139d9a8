package toolbench

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The calls every benchmark makes, and what the tools answer to them.
var (
	echoArgs      = json.RawMessage(`{"message":"hello"}`)
	echoWant      = "Echo: hello"
	wordCountArgs = json.RawMessage(`{"text":"the quick brown fox jumps over the lazy dog"}`)
	wordCountWant = `{"words":9,"chars":43,"lines":1,"bytes":43}`
)

// everything is the argv of the reference MCP server over stdio, which scripts/ensure-mcp.sh
// installs.
func everything(tb testing.TB) []string {
	tb.Helper()
	js, err := filepath.Abs(filepath.Join("..", "..", "tools", "mcp", "node_modules", ".bin", "mcp-server-everything"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(js); err != nil {
		tb.Fatalf("the MCP server is not installed (%v): run scripts/ensure-mcp.sh (make deps does)", err)
	}
	return []string{"node", js, "stdio"}
}

// textkit builds plugins/textkit for wasip1 as a c-shared module into a temporary directory and
// returns the file; Go's build cache makes this quick after the first time.
func textkit(tb testing.TB) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "textkit.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, ".")
	cmd.Dir = filepath.Join("..", "..", "plugins", "textkit")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build textkit: %v\n%s", err, b)
	}
	return out
}

// directMCP connects a go-sdk client to its own server process, closed when tb ends.
func directMCP(tb testing.TB, argv []string) *DirectMCP {
	tb.Helper()
	d, err := NewDirectMCP(context.Background(), argv)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	return d
}

// directExtism instantiates the plugin once, closed when tb ends.
func directExtism(tb testing.TB, plugin string) *DirectExtism {
	tb.Helper()
	ctx := context.Background()
	d, err := NewDirectExtism(ctx, plugin)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = d.Close(ctx) })
	return d
}

// TestPathsAgree checks that each baseline and the kernel path answer the benchmarks' calls
// alike, with and without the audit log: the benchmarks compare the same work.
func TestPathsAgree(t *testing.T) {
	ctx := context.Background()
	argv, plugin := everything(t), textkit(t)
	if got, err := directMCP(t, argv).Call(ctx, EchoTool, echoArgs); err != nil || got != echoWant {
		t.Errorf("direct echo = %q, %v; want %q", got, err, echoWant)
	}
	if got, err := directExtism(t, plugin).Call(ctx, WordCountTool, wordCountArgs); err != nil || string(got) != wordCountWant {
		t.Errorf("direct word_count = %q, %v; want %q", got, err, wordCountWant)
	}
	for _, audit := range []bool{true, false} {
		p := NewProcess(t, Tools{MCP: argv, Plugin: plugin}, audit)
		if got, err := CallTool(ctx, p, EchoTool, echoArgs); err != nil || got != echoWant {
			t.Errorf("audit %v: kernel echo = %q, %v; want %q", audit, got, err, echoWant)
		}
		if got, err := CallTool(ctx, p, WordCountTool, wordCountArgs); err != nil || got != wordCountWant {
			t.Errorf("audit %v: kernel word_count = %q, %v; want %q", audit, got, err, wordCountWant)
		}
	}
}
