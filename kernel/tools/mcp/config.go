package mcp

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config says how to reach one MCP server. Exactly one of Command and URL is set.
type Config struct {
	// Name is the server's configured name; it becomes Info.Source of its tools.
	Name string
	// Command runs the server over stdio: the program and its arguments.
	Command []string
	// Env holds KEY=VALUE entries for the server's environment. The server does not inherit
	// the host's environment: it gets PATH and HOME from the host (so that interpreters such
	// as node are found) and then Env, whose entries win.
	Env []string
	// Dir is the server's working directory; empty means the host's.
	Dir string
	// URL reaches the server over streamable HTTP (http or https).
	URL string
	// Tools lists the server's tools to expose; empty exposes all of them.
	Tools []string
	// StartTimeout bounds starting the server and the MCP handshake; zero means 30 s.
	StartTimeout time.Duration
	// MaxMessageBytes bounds one message from the server (a JSON-RPC line over stdio, a
	// response body or one server-sent event over HTTP); a longer one ends the session as a
	// failure. Zero means 16 MiB, the go-sdk's default.
	MaxMessageBytes int
}

const (
	defaultStartTimeout    = 30 * time.Second
	defaultMaxMessageBytes = 16 << 20
)

// check reports what is wrong with c, and returns c with its defaults filled in.
func (c Config) check() (Config, error) {
	if c.Name == "" {
		return c, errors.New("mcp: server has no name")
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("mcp server %q: "+format, append([]any{c.Name}, args...)...)
	}
	switch {
	case len(c.Command) == 0 && c.URL == "":
		return c, bad("needs a command or a url")
	case len(c.Command) > 0 && c.URL != "":
		return c, bad("has both a command and a url; give one")
	}
	if len(c.Command) > 0 && c.Command[0] == "" {
		return c, bad("command has an empty program name")
	}
	for _, arg := range c.Command {
		if strings.ContainsRune(arg, 0) {
			return c, bad("command argument %q holds a NUL byte", arg)
		}
	}
	for _, kv := range c.Env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.ContainsRune(kv, 0) {
			return c, bad("env entry %q is not KEY=VALUE", kv)
		}
	}
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil {
			return c, bad("url: %v", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, bad("url %q is not an http or https address", c.URL)
		}
	}
	if c.StartTimeout < 0 {
		return c, bad("start timeout %v is negative", c.StartTimeout)
	}
	if c.StartTimeout == 0 {
		c.StartTimeout = defaultStartTimeout
	}
	if c.MaxMessageBytes < 0 {
		return c, bad("max message size %d is negative", c.MaxMessageBytes)
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = defaultMaxMessageBytes
	}
	return c, nil
}
