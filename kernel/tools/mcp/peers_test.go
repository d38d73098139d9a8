package mcp

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// hangGuard bounds waits in tests that would otherwise hang; it is not a speed assertion.
const hangGuard = 60 * time.Second

// everythingJS is the reference server's entry point, installed by scripts/ensure-mcp.sh.
func everythingJS(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	js := filepath.Join(dir, "tools/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js")
	if _, err := os.Stat(js); err != nil {
		t.Fatalf("the MCP reference server is not installed (%v): run scripts/ensure-mcp.sh (make deps does)", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not on PATH: run scripts/ensure-mcp.sh (make deps does)")
	}
	return js
}

// everything is a Config for the reference server over stdio.
func everything(t *testing.T) Config {
	return Config{Name: "everything", Command: []string{"node", everythingJS(t), "stdio"}}
}

// newSource is New that fails the test on error and closes the Source at its end.
func newSource(t *testing.T, cfg Config) *Source {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// guard is a context that ends a test's wait after hangGuard.
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	t.Cleanup(cancel)
	return ctx
}

// everythingHTTP starts the reference server's streamable HTTP transport on a free loopback
// port and returns its endpoint. The port is found by listening and closing, so another
// process may take it first; the server then exits, and the test fails saying so.
func everythingHTTP(t *testing.T) string {
	js := everythingJS(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command("node", js, "streamableHttp")
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	deadline := time.Now().Add(hangGuard)
	for {
		select {
		case err := <-exited:
			t.Fatalf("server-everything streamableHttp exited: %v; stderr: %s", err, stderr.String())
		default:
		}
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return fmt.Sprintf("http://127.0.0.1:%d/mcp", port)
		}
		if time.Now().After(deadline) {
			t.Fatalf("server-everything streamableHttp did not listen on port %d", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// goServer is a go-sdk MCP server over streamable HTTP with tools the reference server
// lacks: one declared destructive, one without annotations, and one that hangs until its
// call is cancelled (entered receives a value when it starts).
func goServer(t *testing.T) (url string, entered chan struct{}) {
	return goServerWith(t, nil)
}

// goServerWith is goServer with the given HTTP options; it also has a tool "big" whose
// answer is 100 KiB of text.
func goServerWith(t *testing.T, opts *sdk.StreamableHTTPOptions) (url string, entered chan struct{}) {
	type noArgs struct{}
	text := func(s string) *sdk.CallToolResult {
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: s}}}
	}
	yes, no := true, false
	server := sdk.NewServer(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	sdk.AddTool(server, &sdk.Tool{Name: "wipe", Description: "deletes everything",
		Annotations: &sdk.ToolAnnotations{DestructiveHint: &yes}},
		func(context.Context, *sdk.CallToolRequest, noArgs) (*sdk.CallToolResult, any, error) {
			return text("wiped"), nil, nil
		})
	sdk.AddTool(server, &sdk.Tool{Name: "append", Description: "adds a line",
		Annotations: &sdk.ToolAnnotations{DestructiveHint: &no}},
		func(context.Context, *sdk.CallToolRequest, noArgs) (*sdk.CallToolResult, any, error) {
			return text("appended"), nil, nil
		})
	sdk.AddTool(server, &sdk.Tool{Name: "read", Description: "reads",
		Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true}},
		func(context.Context, *sdk.CallToolRequest, noArgs) (*sdk.CallToolResult, any, error) {
			return text("read"), nil, nil
		})
	sdk.AddTool(server, &sdk.Tool{Name: "bare", Description: "no annotations"},
		func(context.Context, *sdk.CallToolRequest, noArgs) (*sdk.CallToolResult, any, error) {
			return text("bare"), nil, nil
		})
	entered = make(chan struct{}, 16)
	sdk.AddTool(server, &sdk.Tool{Name: "hang", Description: "never answers"},
		func(ctx context.Context, _ *sdk.CallToolRequest, _ noArgs) (*sdk.CallToolResult, any, error) {
			entered <- struct{}{}
			<-ctx.Done()
			return nil, nil, ctx.Err()
		})
	sdk.AddTool(server, &sdk.Tool{Name: "big", Description: "answers at length"},
		func(context.Context, *sdk.CallToolRequest, noArgs) (*sdk.CallToolResult, any, error) {
			return text(strings.Repeat("x", 100<<10)), nil, nil
		})
	ts := httptest.NewServer(sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return server }, opts))
	t.Cleanup(ts.Close)
	return ts.URL, entered
}

// processGone reports whether no live process is in group pgid any more. Zombies do not
// count: a killed helper whose parent died is reaped by init, which may take its time.
func processGone(pgid int) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the process ended while we looked
		}
		// After "pid (comm) ": state ppid pgrp ...
		_, rest, ok := strings.Cut(string(b), ") ")
		fields := strings.Fields(rest)
		if !ok || len(fields) < 3 {
			continue
		}
		if fields[2] == strconv.Itoa(pgid) && fields[0] != "Z" && fields[0] != "X" {
			return false
		}
	}
	return true
}

// waitGone waits until no live process is in group pgid, failing the test after hangGuard.
func waitGone(t *testing.T, pgid int) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !processGone(pgid) {
		if time.Now().After(deadline) {
			t.Fatalf("a process of group %d is still alive", pgid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serverPid is the pid of the live stdio server process of s.
func serverPid(t *testing.T, s *Source) int {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || s.cur.proc == nil {
		t.Fatal("no live stdio session")
	}
	return s.cur.proc.cmd.Process.Pid
}
