// Package mcp runs tools of Model Context Protocol servers (https://modelcontextprotocol.io)
// for the tool manager: one Source per configured server, over stdio (a process aios starts)
// or streamable HTTP, through the official go-sdk.
//
// A server that crashes, or writes what is not MCP, fails the call that meets it (or the
// next one) with tools.ErrUnavailable and the end of its stderr; a later call restarts it,
// waiting 100 ms after the first failure, doubling to 30 s, reset once a session has stayed
// up for a minute. A call that hangs ends at its context's deadline; calls run concurrently
// on one session, so others go on.
//
// # Notes
//
// The go-sdk reads a whole message before it hands it over, so a call holds up to
// Config.MaxMessageBytes (16 MiB unless configured) of the server's answer, and its decoded
// form, in memory while it turns it into a Result of at most the call's limit. A longer
// message ends the session as a failure, so no server makes the host hold more.
package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/aiosys/aios/kernel/tools"
)

// Source is one MCP server's tools. It implements tools.Source and is safe for concurrent
// use. It starts the server on its first use, not in New.
type Source struct {
	cfg    Config
	client *sdk.Client
	stderr *ring // the server's stderr across restarts

	ctx    context.Context // ends starts in progress when Close is called
	cancel context.CancelFunc
	wg     sync.WaitGroup // starts and watchers in progress

	mu       sync.Mutex
	cur      *conn           // the live session, or the failed one until an agent is told
	starting *start          // a start in progress, or nil
	failures int             // failed sessions and starts in a row
	retryAt  time.Time       // no restart before this
	lastErr  string          // why the last start failed
	known    map[string]bool // the tools of the last listing; nil before one
	closed   bool
}

// start is a start of the server in progress; callers wait for done.
type start struct {
	done chan struct{}
	c    *conn
	err  error
}

var _ tools.Source = (*Source)(nil)

// maxTools bounds a server's listing: a server that pages forever is not waited for.
const maxTools = 10000

// stderrInError is how much of the end of a server's stderr an error quotes.
const stderrInError = 1024

// New checks cfg and returns a Source for the server. The server is started (or reached)
// when its tools are first listed or called.
func New(cfg Config) (*Source, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Source{
		cfg:    cfg,
		client: sdk.NewClient(&sdk.Implementation{Name: "aios", Version: "1"}, nil),
		stderr: newRing(stderrKeep),
		ctx:    ctx,
		cancel: cancel,
	}, nil
}

// Stderr returns the end (up to 64 KiB) of what the server wrote to stderr, across its
// restarts, for the operator's log. It is empty for a server reached over HTTP.
func (s *Source) Stderr() []byte { return s.stderr.tail(stderrKeep) }

// Tools lists the server's tools (those in Config.Tools, if set). Each tool is destructive
// unless the server says otherwise, as the MCP spec's ToolAnnotations define: destructive
// means readOnlyHint is not true and destructiveHint is absent or true.
func (s *Source) Tools(ctx context.Context) ([]tools.Info, error) {
	c, err := s.session(ctx)
	if err != nil {
		return nil, err
	}
	var infos []tools.Info
	seen := make(map[string]bool)
	for t, err := range c.session.Tools(ctx, nil) {
		if err != nil {
			return nil, s.failed(ctx, c, "list tools", err)
		}
		if len(seen) >= maxTools {
			return nil, fmt.Errorf("%w: mcp server %q lists more than %d tools", tools.ErrUnavailable, s.cfg.Name, maxTools)
		}
		seen[t.Name] = true
		if len(s.cfg.Tools) > 0 && !slices.Contains(s.cfg.Tools, t.Name) {
			continue
		}
		info, err := s.info(t)
		if err != nil {
			return nil, err
		}
		infos = append(infos, info)
	}
	for _, name := range s.cfg.Tools {
		if !seen[name] {
			return nil, fmt.Errorf("mcp server %q has no tool %q (configured in its tools list)", s.cfg.Name, name)
		}
	}
	known := make(map[string]bool, len(infos))
	for _, info := range infos {
		known[info.Name] = true
	}
	s.mu.Lock()
	s.known = known
	s.mu.Unlock()
	return infos, nil
}

// info is an MCP tool as the tool manager sees it.
func (s *Source) info(t *sdk.Tool) (tools.Info, error) {
	schema, err := json.Marshal(t.InputSchema)
	if err != nil || len(schema) == 0 || schema[0] != '{' {
		return tools.Info{}, fmt.Errorf("mcp server %q: tool %q has an input schema that is not a JSON object", s.cfg.Name, t.Name)
	}
	return tools.Info{
		Tool:        tools.Tool{Name: t.Name, Description: t.Description, Parameters: schema},
		Kind:        "mcp",
		Source:      s.cfg.Name,
		Destructive: destructive(t.Annotations),
	}, nil
}

// destructive follows the MCP spec's defaults: readOnlyHint false, destructiveHint true
// (meaningful only when the tool is not read-only). Annotations are the server's word, not
// a guarantee; a tool without them is treated as destructive.
func destructive(a *sdk.ToolAnnotations) bool {
	if a == nil {
		return true
	}
	return !a.ReadOnlyHint && (a.DestructiveHint == nil || *a.DestructiveHint)
}

// Call runs tool name on the server. A tool that reports a failure gives a Result with
// IsError; a server that fails gives an error wrapping tools.ErrUnavailable.
func (s *Source) Call(ctx context.Context, name string, args json.RawMessage, limit int64) (tools.Result, error) {
	if !s.exposes(name) {
		return tools.Result{}, fmt.Errorf("%w: mcp server %q has no tool %q", tools.ErrUnknownTool, s.cfg.Name, name)
	}
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	if !json.Valid(args) {
		return tools.Result{}, fmt.Errorf("%w: arguments of %q are not JSON", tools.ErrInvalidArgs, name)
	}
	c, err := s.session(ctx)
	if err != nil {
		return tools.Result{}, err
	}
	res, err := c.session.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	var wire *jsonrpc.Error
	switch {
	case err == nil:
		return toResult(res, limit), nil
	case errors.As(err, &wire) && wire.Code == jsonrpc.CodeInvalidParams:
		return tools.Result{}, fmt.Errorf("%w: mcp server %q, tool %q: %s", tools.ErrInvalidArgs, s.cfg.Name, name, wire.Message)
	case errors.As(err, &wire):
		// The server answered, with a protocol error instead of a tool result.
		return toResult(&sdk.CallToolResult{
			Content: []sdk.Content{&sdk.TextContent{Text: "mcp server error: " + wire.Message}},
			IsError: true,
		}, limit), nil
	}
	return tools.Result{}, s.failed(ctx, c, "call "+name, err)
}

// exposes reports whether name may be called: it is in Config.Tools, if set, and in the
// last listing, if there was one.
func (s *Source) exposes(name string) bool {
	if len(s.cfg.Tools) > 0 && !slices.Contains(s.cfg.Tools, name) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.known == nil || s.known[name]
}

// Close stops the server (its whole process group) and waits until it is gone. Calls after
// Close fail with tools.ErrUnavailable.
func (s *Source) Close() error {
	s.mu.Lock()
	s.closed = true
	c := s.cur
	s.mu.Unlock()
	s.cancel()
	if c != nil {
		c.close()
	}
	s.wg.Wait()
	return nil
}

// Name returns the server's configured name (tools.Named), which the manager reports when the
// server cannot list its tools.
func (s *Source) Name() string { return s.cfg.Name }
