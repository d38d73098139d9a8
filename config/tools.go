package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/aiosys/aios/kernel/tools"
)

// Tool is one [[tools]] entry: a source of tools for agents (see docs/CONFIG.md). Kind says
// which fields apply: AllowHosts, AllowAddresses and MaxRedirects to http_fetch; Command, URL,
// Env and Tools to mcp; Path and Functions to extism.
type Tool struct {
	// Name is the tool's name for http_fetch, the server's or plugin's name otherwise (the
	// Source of the tools it offers).
	Name string
	// Kind is tools.KindHTTPFetch, tools.KindMCP or tools.KindExtism.
	Kind string
	// Description is what the model is told an http_fetch tool does.
	Description string
	// Policy bounds the calls of the entry's tools: timeout, max_output, rate, confirm, and
	// (mcp) confirm_destructive = false as TrustDestructive.
	Policy tools.Policy

	// AllowHosts are the hosts http_fetch may fetch from (tools.CheckHostPattern).
	AllowHosts []string
	// AllowAddresses are special-purpose addresses http_fetch may connect to anyway.
	AllowAddresses []netip.Prefix
	// MaxRedirects is as tools.HTTPFetchConfig has it: 0 is the default (5), negative none.
	MaxRedirects int

	// Command is the argv of a stdio MCP server; URL the endpoint of a streamable-HTTP one.
	// Exactly one is set.
	Command []string
	URL     string
	// Env is the stdio server's environment: "NAME=value" sets a variable, "NAME" passes
	// aios's own value of it through.
	Env []string
	// Tools, when set, are the only tools of the server agents see.
	Tools []string

	// Path is the Extism plugin's .wasm file, absolute.
	Path string
	// Functions are the plugin's exported functions offered as tools.
	Functions []ToolFunction
}

// ToolFunction is one [[tools.functions]] table of an extism entry: an exported function of the
// plugin and the tool it is.
type ToolFunction struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the function's arguments, a JSON object.
	Parameters json.RawMessage
}

// maxToolOutput bounds max_output: a call's output is held in memory.
const maxToolOutput = 1 << 30

// toolName is what LLM APIs accept as a tool's name.
var toolName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

type fileTool struct {
	Name               string             `toml:"name"`
	Kind               string             `toml:"kind"`
	Description        string             `toml:"description"`
	Timeout            Duration           `toml:"timeout"`
	MaxOutput          Size               `toml:"max_output"`
	Rate               fileToolRate       `toml:"rate"`
	Confirm            bool               `toml:"confirm"`
	AllowHosts         []string           `toml:"allow_hosts"`
	AllowAddresses     []string           `toml:"allow_addresses"`
	MaxRedirects       *int               `toml:"max_redirects"`
	Command            []string           `toml:"command"`
	URL                string             `toml:"url"`
	Env                []string           `toml:"env"`
	Tools              []string           `toml:"tools"`
	ConfirmDestructive *bool              `toml:"confirm_destructive"`
	Path               string             `toml:"path"`
	Functions          []fileToolFunction `toml:"functions"`
}

type fileToolRate struct {
	Calls int      `toml:"calls"`
	Per   Duration `toml:"per"`
	Burst int      `toml:"burst"`
}

type fileToolFunction struct {
	Name        string `toml:"name"`
	Description string `toml:"description"`
	Parameters  string `toml:"parameters"`
}

// toolLabel names entry i in messages: tools[2] "x".
func toolLabel(i int, name string) string {
	if name == "" {
		return fmt.Sprintf("tools[%d]", i)
	}
	return fmt.Sprintf("tools[%d] %q", i, name)
}

// tools converts the entries; relative paths are relative to base, the file's directory.
func fileTools(entries []fileTool, base string) ([]Tool, error) {
	var out []Tool
	var errs []error
	for i, f := range entries {
		t, err := f.tool(base)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", toolLabel(i, f.Name), err))
		}
		out = append(out, t)
	}
	return out, errors.Join(errs...)
}

func (f fileTool) tool(base string) (Tool, error) {
	t := Tool{
		Name: f.Name, Kind: f.Kind, Description: f.Description,
		Policy: tools.Policy{
			Timeout:   time.Duration(f.Timeout),
			Rate:      tools.Rate{Calls: f.Rate.Calls, Per: time.Duration(f.Rate.Per), Burst: f.Rate.Burst},
			Confirm:   f.Confirm,
			MaxOutput: int64(min(uint64(f.MaxOutput), maxToolOutput+1)),
		},
		AllowHosts: f.AllowHosts, Command: f.Command, URL: f.URL, Env: f.Env, Tools: f.Tools,
	}
	var errs []error
	for _, raw := range f.AllowAddresses {
		p, err := parsePrefix(raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.AllowAddresses = append(t.AllowAddresses, p)
	}
	if f.MaxRedirects != nil {
		switch n := *f.MaxRedirects; {
		case n < 0:
			errs = append(errs, fmt.Errorf("max_redirects %d is negative (0 follows none)", n))
		case n == 0:
			t.MaxRedirects = -1
		default:
			t.MaxRedirects = n
		}
	}
	if f.ConfirmDestructive != nil {
		if f.Kind != tools.KindMCP {
			errs = append(errs, errors.New("confirm_destructive applies to mcp servers only"))
		}
		t.Policy.TrustDestructive = !*f.ConfirmDestructive
	}
	if f.Path != "" {
		abs, err := expandPath(f.Path, base)
		if err != nil {
			errs = append(errs, fmt.Errorf("path: %w", err))
		}
		t.Path = abs
	}
	for _, fn := range f.Functions {
		params := json.RawMessage(strings.TrimSpace(fn.Parameters))
		if len(params) == 0 {
			params = json.RawMessage(`{"type":"object"}`)
		}
		t.Functions = append(t.Functions, ToolFunction{Name: fn.Name, Description: fn.Description, Parameters: params})
	}
	return t, errors.Join(errs...)
}

// parsePrefix reads an allow_addresses entry: a CIDR prefix or a single address.
func parsePrefix(raw string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(raw); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(strings.Trim(raw, "[]"))
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("allow_addresses: %q is not an address or a CIDR prefix such as \"127.0.0.0/8\"", raw)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
