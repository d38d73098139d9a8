package config

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/tools"
)

const toolsExample = `
[[tools]]
name = "web"
kind = "http_fetch"
description = "Fetch a page."
timeout = "10s"
max_output = "256KiB"
rate = {calls = 30, per = "1m", burst = 5}
allow_hosts = ["127.0.0.1", "*.example.com"]
allow_addresses = ["127.0.0.0/8", "::1"]
max_redirects = 0

[[tools]]
name = "github"
kind = "mcp"
command = ["github-mcp-server", "stdio"]
env = ["GITHUB_TOKEN", "LOG_LEVEL=debug"]
tools = ["search_code", "get_file_contents"]
confirm_destructive = false

[[tools]]
name = "remote"
kind = "mcp"
url = "https://mcp.example.com/mcp"
confirm = true

[[tools]]
name = "calc"
kind = "extism"
path = "plugins/calc.wasm"

[[tools.functions]]
name = "add"
description = "Add two numbers."
parameters = '{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}'

[[tools.functions]]
name = "now"
`

func TestLoadToolsTable(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, toolsExample))
	if err != nil {
		t.Fatal(err)
	}
	want := []Tool{
		{Name: "web", Kind: "http_fetch", Description: "Fetch a page.",
			Policy:         tools.Policy{Timeout: 10 * time.Second, MaxOutput: 256 << 10, Rate: tools.Rate{Calls: 30, Per: time.Minute, Burst: 5}},
			AllowHosts:     []string{"127.0.0.1", "*.example.com"},
			AllowAddresses: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
			MaxRedirects:   -1},
		{Name: "github", Kind: "mcp", Policy: tools.Policy{TrustDestructive: true},
			Command: []string{"github-mcp-server", "stdio"}, Env: []string{"GITHUB_TOKEN", "LOG_LEVEL=debug"},
			Tools: []string{"search_code", "get_file_contents"}},
		{Name: "remote", Kind: "mcp", Policy: tools.Policy{Confirm: true}, URL: "https://mcp.example.com/mcp"},
		{Name: "calc", Kind: "extism", Path: filepath.Join(dir, "plugins", "calc.wasm"), Functions: []ToolFunction{
			{Name: "add", Description: "Add two numbers.", Parameters: json.RawMessage(`{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}`)},
			{Name: "now", Parameters: json.RawMessage(`{"type":"object"}`)},
		}},
	}
	if !reflect.DeepEqual(cfg.Tools, want) {
		t.Fatalf("Tools =\n%+v\nwant\n%+v", cfg.Tools, want)
	}
	opts := cfg.ToolOptions()
	if len(opts.Sources) != 4 || opts.Sources["web"].MaxOutput != 256<<10 || !opts.Sources["remote"].Confirm {
		t.Fatalf("ToolOptions = %+v", opts)
	}
}

// The http_fetch entry becomes a working tool under the entry's policy.
func TestBuiltinToolsFetch(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("y", 1000))
	}))
	defer s.Close()
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, `
[[tools]]
name = "fetch"
kind = "http_fetch"
max_output = 100
allow_hosts = ["127.0.0.1"]
allow_addresses = ["127.0.0.0/8"]
`))
	if err != nil {
		t.Fatal(err)
	}
	sources, err := cfg.BuiltinTools()
	if err != nil {
		t.Fatal(err)
	}
	m, err := tools.New(sources, cfg.ToolOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := m.Prepare("fetch", json.RawMessage(fmt.Sprintf(`{"url":%q}`, s.URL)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Run(context.Background(), "acme/agent", c)
	if err != nil || len(res.Content) != 100 || !res.Truncated || !strings.HasPrefix(res.Content, "HTTP/1.1 200 OK\n") {
		t.Fatalf("result %+v, %v", res, err)
	}
	// Without allow_addresses the same fetch is refused at connect time.
	cfg.Tools[0].AllowAddresses = nil
	sources, _ = cfg.BuiltinTools()
	m2, err := tools.New(sources, cfg.ToolOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	c, _ = m2.Prepare("fetch", json.RawMessage(fmt.Sprintf(`{"url":%q}`, s.URL)))
	if _, err := m2.Run(context.Background(), "acme/agent", c); !errors.Is(err, tools.ErrRefused) {
		t.Fatalf("without allow_addresses: %v", err)
	}
}

func TestLoadToolsErrors(t *testing.T) {
	fetch := "[[tools]]\nname = \"web\"\nkind = \"http_fetch\"\nallow_hosts = [\"*\"]\n"
	tests := []struct {
		name, text string
		want       []string
	}{
		{"missing name", "[[tools]]\nkind = \"http_fetch\"\nallow_hosts = [\"*\"]\n", []string{"tools[0]: name is missing"}},
		{"bad name", "[[tools]]\nname = \"a b\"\nkind = \"mcp\"\nurl = \"http://x\"\n", []string{`tools[0] "a b": name must be`}},
		{"unknown kind", "[[tools]]\nname = \"x\"\nkind = \"shell\"\n", []string{`tools[0] "x": kind "shell" is not http_fetch, mcp or extism`}},
		{"missing kind", "[[tools]]\nname = \"x\"\n", []string{`tools[0] "x": kind is missing`}},
		{"duplicate names", fetch + fetch, []string{`tools[1] "web": tools[0] has the same name`}},
		{"tool name clash", fetch + "[[tools]]\nname = \"p\"\nkind = \"extism\"\npath = \"p.wasm\"\n[[tools.functions]]\nname = \"web\"\n",
			[]string{`tools[1] "p": tool "web" is offered by tools[0] "web" too`}},
		{"bad duration", fetch + "timeout = \"soon\"\n", []string{"line 5", `duration "soon"`}},
		{"negative duration", fetch + "timeout = \"-1s\"\n", []string{`duration "-1s" is negative`}},
		{"negative size", fetch + "max_output = -1\n", []string{"line 5"}},
		{"huge size", fetch + "max_output = \"5TiB\"\n", []string{`tools[0] "web": max_output must be at most 1GiB`}},
		{"bad rate", fetch + "rate = {calls = -3, per = \"1s\"}\n", []string{`tools[0] "web": rate -3 calls per 1s`}},
		{"rate without per", fetch + "rate = {calls = 3}\n", []string{`tools[0] "web": rate 3 calls per 0s`}},
		{"unknown rate key", fetch + "rate = {calls = 3, per = \"1s\", every = 2}\n", []string{`unknown key "tools.rate.every"`}},
		{"empty allow_hosts", "[[tools]]\nname = \"web\"\nkind = \"http_fetch\"\n", []string{`tools[0] "web": allow_hosts is empty`}},
		{"bad host", "[[tools]]\nname = \"web\"\nkind = \"http_fetch\"\nallow_hosts = [\"exa mple.com\"]\n", []string{`allow_hosts: "exa mple.com"`}},
		{"bad cidr", fetch + "allow_addresses = [\"10.0.0.0/33\"]\n", []string{`tools[0] "web": allow_addresses: "10.0.0.0/33"`}},
		{"negative redirects", fetch + "max_redirects = -1\n", []string{"max_redirects -1 is negative"}},
		{"mcp key on http_fetch", fetch + "command = [\"x\"]\n", []string{`tools[0] "web": command does not apply to this kind`}},
		{"confirm_destructive on http_fetch", fetch + "confirm_destructive = true\n", []string{"confirm_destructive applies to mcp servers only"}},
		{"both command and url", "[[tools]]\nname = \"s\"\nkind = \"mcp\"\ncommand = [\"srv\"]\nurl = \"http://localhost:1/mcp\"\n", []string{`tools[0] "s": set command`, "not both"}},
		{"neither command nor url", "[[tools]]\nname = \"s\"\nkind = \"mcp\"\n", []string{`tools[0] "s": set command (a stdio server) or url`}},
		{"bad url", "[[tools]]\nname = \"s\"\nkind = \"mcp\"\nurl = \"ftp://x\"\n", []string{`url "ftp://x" is not an http or https URL`}},
		{"bad env", "[[tools]]\nname = \"s\"\nkind = \"mcp\"\ncommand = [\"srv\"]\nenv = [\"=x\"]\n", []string{`env entry "=x"`}},
		{"extism without path", "[[tools]]\nname = \"p\"\nkind = \"extism\"\n[[tools.functions]]\nname = \"f\"\n", []string{`tools[0] "p": path, the plugin's .wasm file, is missing`}},
		{"extism without functions", "[[tools]]\nname = \"p\"\nkind = \"extism\"\npath = \"p.wasm\"\n", []string{"no [[tools.functions]]"}},
		{"bad schema", "[[tools]]\nname = \"p\"\nkind = \"extism\"\npath = \"p.wasm\"\n[[tools.functions]]\nname = \"f\"\nparameters = '{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"nope\"}}}'\n",
			[]string{`tools[0] "p": functions[0] "f": parameters: schema`}},
		{"schema not object", "[[tools]]\nname = \"p\"\nkind = \"extism\"\npath = \"p.wasm\"\n[[tools.functions]]\nname = \"f\"\nparameters = '{\"type\":\"string\"}'\n",
			[]string{"a tool's parameters must be an object"}},
		{"remote ref", "[[tools]]\nname = \"p\"\nkind = \"extism\"\npath = \"p.wasm\"\n[[tools.functions]]\nname = \"f\"\nparameters = '{\"$ref\":\"https://example.com/s.json\"}'\n",
			[]string{"must be self-contained"}},
		{"bad function name", "[[tools]]\nname = \"p\"\nkind = \"extism\"\npath = \"p.wasm\"\n[[tools.functions]]\nname = \"f\\n\"\n", []string{"functions[0]: name must be"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			_, err := Load(writeFile(t, dir, tt.text))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// The example in docs/CONFIG.md's [[tools]] section loads.
func TestToolsDocExampleLoads(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "CONFIG.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## `[[tools]]`")
	_, example, ok2 := strings.Cut(section, "```toml\n")
	example, _, ok3 := strings.Cut(example, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no toml example in the [[tools]] section of docs/CONFIG.md")
	}
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, example))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Tools) != 4 {
		t.Fatalf("%d tools entries; want 4", len(cfg.Tools))
	}
}
