package toolbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"

	sdk "github.com/extism/go-sdk"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/tetratelabs/wazero"

	"github.com/aiosys/aios/kernel/tools/extism"
)

// DirectMCP is a go-sdk client session with its own stdio MCP server process: an agent calling
// a tool without an OS.
type DirectMCP struct {
	session *mcp.ClientSession
}

// NewDirectMCP starts argv as a stdio MCP server and connects to it.
func NewDirectMCP(ctx context.Context, argv []string) (*DirectMCP, error) {
	if len(argv) == 0 {
		return nil, errors.New("direct mcp: no command")
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "toolbench", Version: "1"}, nil)
	t := &mcp.CommandTransport{Command: exec.Command(argv[0], argv[1:]...)}
	s, err := client.Connect(ctx, t, nil)
	if err != nil {
		return nil, fmt.Errorf("direct mcp: connect to %v: %w", argv, err)
	}
	return &DirectMCP{session: s}, nil
}

// Call calls tool name with args and returns its first text content.
func (d *DirectMCP) Call(ctx context.Context, name string, args json.RawMessage) (string, error) {
	res, err := d.session.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		return "", err
	}
	if res.IsError {
		return "", fmt.Errorf("direct mcp: tool %s reported an error", name)
	}
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			return t.Text, nil
		}
	}
	return "", fmt.Errorf("direct mcp: tool %s returned no text", name)
}

// Close ends the session and the server process.
func (d *DirectMCP) Close() error { return d.session.Close() }

// DirectExtism is one Extism plugin instance, reused for every call, compiled with the runtime
// configuration the kernel's extism source uses (memory limit, close on context done, WASI).
type DirectExtism struct {
	compiled *sdk.CompiledPlugin
	inst     *sdk.Plugin
}

// NewDirectExtism compiles the plugin at path and makes one instance of it.
func NewDirectExtism(ctx context.Context, path string) (*DirectExtism, error) {
	pages := uint32(extism.DefaultMaxMemoryPages)
	rc := wazero.NewRuntimeConfig().WithCloseOnContextDone(true).WithMemoryLimitPages(pages)
	compiled, err := sdk.NewCompiledPlugin(ctx, sdk.Manifest{
		Wasm:   []sdk.Wasm{sdk.WasmFile{Path: path}},
		Memory: &sdk.ManifestMemory{MaxPages: pages},
	}, sdk.PluginConfig{EnableWasi: true, RuntimeConfig: rc}, nil)
	if err != nil {
		return nil, fmt.Errorf("direct extism: compile %s: %w", path, err)
	}
	inst, err := compiled.Instance(ctx, sdk.PluginInstanceConfig{})
	if err != nil {
		_ = compiled.Close(ctx)
		return nil, fmt.Errorf("direct extism: instantiate %s: %w", path, err)
	}
	return &DirectExtism{compiled: compiled, inst: inst}, nil
}

// Call calls the plugin's exported function fn with input.
func (d *DirectExtism) Call(ctx context.Context, fn string, input []byte) ([]byte, error) {
	_, out, err := d.inst.CallWithContext(ctx, fn, input)
	return out, err
}

// Close frees the instance and the compiled plugin.
func (d *DirectExtism) Close(ctx context.Context) error {
	return errors.Join(d.inst.Close(ctx), d.compiled.Close(ctx))
}
