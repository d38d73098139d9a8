package toolbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/aiosys/aios/kernel/tools"
	"github.com/aiosys/aios/kernel/tools/extism"
	"github.com/aiosys/aios/kernel/tools/mcp"
)

// The layers below Process.ToolCall, for seeing where its time goes: a source alone (its own
// server process or plugin instances), and the tools.Manager over it (schema validation,
// timeout, output cap) without the kernel's policy gate, audit and accounting.

// NewSource starts the source of t's one tool as aios.New would (MCP server or plugin); it is
// closed when tb ends.
func NewSource(tb testing.TB, t Tools) tools.Source {
	tb.Helper()
	s, err := newSource(t)
	if err != nil {
		tb.Fatalf("source: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// NewManager is a tools.Manager with default options over the source of t's one tool; it is
// closed, with the source, when tb ends.
func NewManager(tb testing.TB, t Tools) *tools.Manager {
	tb.Helper()
	s, err := newSource(t)
	if err != nil {
		tb.Fatalf("source: %v", err)
	}
	m, err := tools.New([]tools.Source{s}, tools.Options{})
	if err != nil {
		_ = s.Close()
		tb.Fatalf("tools manager: %v", err)
	}
	tb.Cleanup(func() { _ = m.Close() })
	return m
}

func newSource(t Tools) (tools.Source, error) {
	switch {
	case t.MCP != nil && t.Plugin == "":
		return mcp.New(mcp.Config{Name: "everything", Command: t.MCP, Tools: []string{EchoTool}})
	case t.MCP == nil && t.Plugin != "":
		return extism.New(extism.Config{Name: "textkit", Path: t.Plugin,
			Functions: []extism.Function{{Name: WordCountTool, Description: "Count words", Parameters: json.RawMessage(wordCountSchema)}}})
	}
	return nil, errors.New("want exactly one of Tools.MCP and Tools.Plugin")
}

// CallSource calls tool name of s with the manager's default output cap.
func CallSource(ctx context.Context, s tools.Source, name string, args json.RawMessage) (string, error) {
	res, err := s.Call(ctx, name, args, tools.DefaultMaxOutput)
	return answer(name, res, err)
}

// CallManager prepares and runs tool name on m, for caller "bench/bench", as the kernel does.
func CallManager(ctx context.Context, m *tools.Manager, name string, args json.RawMessage) (string, error) {
	c, err := m.Prepare(name, args)
	if err != nil {
		return "", err
	}
	res, err := m.Run(ctx, "bench/bench", c)
	return answer(name, res, err)
}

// answer is a result's content, or an error when the call failed or the tool reported one.
func answer(name string, res tools.Result, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if res.IsError {
		return "", fmt.Errorf("tool %s reported an error: %s", name, res.Content)
	}
	return res.Content, nil
}
