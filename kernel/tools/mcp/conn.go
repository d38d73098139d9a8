package mcp

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// conn is one session with the server: a process over stdio, or an HTTP session.
type conn struct {
	session *sdk.ClientSession
	proc    *process // nil over HTTP
	stdin   *os.File // the server's stdin, closed first to ask it to exit; nil over HTTP
	started time.Time

	closeOnce sync.Once
	done      chan struct{} // closed once the session has ended and the process is gone
	reason    string        // why the server went away by itself; read after done is closed
	// reported: an agent has been told that this session failed, so the next call restarts.
	reported atomic.Bool
}

// dial starts the server (or reaches it) and completes the MCP handshake.
func dial(ctx context.Context, cfg Config, client *sdk.Client, stderr *ring) (*conn, error) {
	if cfg.URL != "" {
		t := &sdk.StreamableClientTransport{
			Endpoint: cfg.URL,
			HTTPClient: &http.Client{Transport: limitedBodies{
				next: http.DefaultTransport,
				max:  int64(cfg.MaxMessageBytes),
			}},
			MaxEventSize: cfg.MaxMessageBytes,
			// A session that breaks is restarted by the Source, with its own backoff.
			MaxRetries: -1,
		}
		session, err := client.Connect(ctx, t, nil)
		if err != nil {
			return nil, err
		}
		return watch(&conn{session: session, started: time.Now(), done: make(chan struct{})}), nil
	}
	proc, stdin, stdout, err := startProcess(cfg, stderr)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Command[0], err)
	}
	t := &sdk.IOTransport{Reader: stdout, Writer: stdin, MaxLineLength: cfg.MaxMessageBytes}
	session, err := client.Connect(ctx, t, nil)
	if err != nil {
		stdin.Close()
		stdout.Close()
		proc.killGroup()
		<-proc.exited
		if r := proc.exitReason(); r != "" && ctx.Err() == nil {
			return nil, fmt.Errorf("%w (%s)", err, r)
		}
		return nil, err
	}
	c := &conn{session: session, proc: proc, stdin: stdin, started: time.Now(), done: make(chan struct{})}
	return watch(c), nil
}

// watch starts c's watcher: when the session ends (the server exited, or wrote what is not
// MCP, or c was closed), the process group is killed and done closed.
func watch(c *conn) *conn {
	go func() {
		err := c.session.Wait()
		if c.proc != nil {
			c.reason = c.proc.exitReason() // "" unless it exited by itself
			c.proc.killGroup()
			<-c.proc.exited
		}
		if c.reason == "" && err != nil {
			c.reason = fmt.Sprintf("session ended: %v", err)
		}
		close(c.done)
	}()
	return c
}

// abort starts ending the session: over stdio it closes the server's stdin and lets it
// exit by itself for a moment, as the MCP stdio transport asks, before killing its process
// group. It does not wait; done is closed at the end.
func (c *conn) abort() {
	c.closeOnce.Do(func() {
		go func() {
			if c.proc != nil {
				c.stdin.Close()
				c.proc.stop(stopGrace)
			}
			c.session.Close()
		}()
	})
}

// close ends the session as abort does, and waits until the process is gone.
func (c *conn) close() {
	c.abort()
	<-c.done
}

// ended reports whether the session has ended.
func (c *conn) ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}
