package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios/packager/bundle"
)

// buildTextkit builds the textkit Extism plugin (plugins/textkit) with the standard Go
// toolchain, as kernel/tools/extism's tests do.
func buildTextkit(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "textkit.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, ".")
	cmd.Dir = filepath.Join("..", "..", "plugins", "textkit")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build textkit: %v\n%s", err, b)
	}
	return out
}

// toolsConfig has two http_fetch tools, the textkit plugin's three and an MCP server that
// does not start; policy grants the agent clerk web and word_count.
func toolsConfig(textkit string) string {
	return `
[[tools]]
name = "web"
kind = "http_fetch"
allow_hosts = ["example.com"]

[[tools]]
name = "intranet"
kind = "http_fetch"
allow_hosts = ["intranet.example"]

[[tools]]
name = "textkit"
kind = "extism"
path = "` + textkit + `"

[[tools.functions]]
name = "word_count"
description = "Counts words."
parameters = '{"type":"object","properties":{"text":{"type":"string"},"unit":{"type":"string"}},"required":["text"]}'

[[tools.functions]]
name = "slugify"
description = "Turns text into a slug."

[[tools]]
name = "broken"
kind = "mcp"
command = ["./no-such-mcp-server"]

[[policy.grants]]
agent = "clerk"
models = ["*"]
tools = ["web", "word_count"]
`
}

// toolRows decodes `aios tools list --json` by tool name.
func toolRows(t *testing.T, out string) map[string]toolRow {
	t.Helper()
	rows := map[string]toolRow{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r toolRow
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v in %q", err, l)
		}
		rows[r.Name] = r
	}
	return rows
}

// clerkBundle writes a bundle of the agent clerk declaring tools, signed by a new key, and
// returns its path and the public key's file.
func clerkBundle(t *testing.T, tools ...string) (path, pub string) {
	t.Helper()
	dir := t.TempDir()
	priv, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub = filepath.Join(dir, "k.pub")
	if err := bundle.WriteKeyPair(priv, filepath.Join(dir, "k.key"), pub); err != nil {
		t.Fatal(err)
	}
	packed, err := bundle.Pack(minimalModule(t), bundle.Manifest{Schema: bundle.ManifestSchema, Name: "clerk", Version: "1.0.0",
		Capabilities: bundle.Capabilities{Tools: tools}})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := bundle.Sign(packed, priv)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "clerk-1.0.0.wasm")
	if err := os.WriteFile(path, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, pub
}

func TestToolsListShowsEveryKind(t *testing.T) {
	e := newOperatorEnv(t, toolsConfig(buildTextkit(t)))

	out, errs := e.mustRun(t, "tools", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || lines[0] != "NAME        KIND        SOURCE    DESTRUCTIVE  PARAMETERS" ||
		!strings.HasPrefix(lines[1], "intranet    http_fetch  intranet  no           url") ||
		!strings.HasPrefix(lines[3], "web ") || !strings.Contains(lines[4], "word_count  extism      textkit   no           text [unit]") {
		t.Fatalf("tools list:\n%s", out)
	}
	if !strings.Contains(errs, "aios: warning: ") || !strings.Contains(errs, `mcp server "broken"`) {
		t.Fatalf("the MCP server that does not start is no warning: %q", errs)
	}

	// A bundle declaring every tool gets what the grant names, of every kind.
	path, pub := clerkBundle(t, "web", "intranet", "word_count", "slugify")
	rows := toolRows(t, e.mustRunOut(t, "tools", "list", "--bundle", path, "--trust-key", pub, "--json"))
	wc := rows["word_count"]
	if len(rows) != 4 || wc.Kind != "extism" || wc.Source != "textkit" || wc.Description != "Counts words." ||
		strings.Join(wc.Required, ",") != "text" || strings.Join(wc.Optional, ",") != "unit" {
		t.Fatalf("tools list --json: %+v", rows)
	}
	for name, want := range map[string]bool{"web": true, "word_count": true, "intranet": false, "slugify": false} {
		if r := rows[name]; r.Granted == nil || *r.Granted != want || r.Reason == "" {
			t.Errorf("bundle clerk: %s granted %v (%q), want %v", name, r.Granted, r.Reason, want)
		}
	}
}

// httpToolsConfig has two http_fetch tools; policy grants the agent clerk web.
const httpToolsConfig = `
[[tools]]
name = "web"
kind = "http_fetch"
allow_hosts = ["example.com"]

[[tools]]
name = "intranet"
kind = "http_fetch"
allow_hosts = ["intranet.example"]

[[policy.grants]]
agent = "clerk"
models = ["*"]
tools = ["web"]
`

func TestToolsListGrants(t *testing.T) {
	e := newOperatorEnv(t, httpToolsConfig)
	out, _ := e.mustRun(t, "tools", "list", "--agent", "clerk")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "  GRANTED  ") ||
		!strings.Contains(lines[1], "  no  ") || !strings.Contains(lines[2], "  yes  ") {
		t.Fatalf("tools list --agent clerk:\n%s", out)
	}
	without := toolRows(t, e.mustRunOut(t, "tools", "list", "--json"))
	if r := without["web"]; r.Granted != nil || r.Reason != "" {
		t.Fatalf("tools list --json without an agent decides: %+v", r)
	}
	for _, c := range []struct {
		name string
		args []string
		want map[string]bool
	}{
		// A plain module declares any tool, so the grant alone decides.
		{"plain clerk", []string{"--agent", "clerk"}, map[string]bool{"web": true, "intranet": false}},
		{"plain writer", []string{"--agent", "writer"}, map[string]bool{"web": false, "intranet": false}},
		{"clerk in a tenant", []string{"--agent", "clerk", "--tenant", "acme"}, map[string]bool{"web": true, "intranet": false}},
	} {
		rows := toolRows(t, e.mustRunOut(t, append([]string{"tools", "list", "--json"}, c.args...)...))
		for name, want := range c.want {
			if r := rows[name]; r.Granted == nil || *r.Granted != want || r.Reason == "" {
				t.Errorf("%s: %s granted %v (%q), want %v", c.name, name, r.Granted, r.Reason, want)
			}
		}
	}
	// A bundle gets no more than its manifest declares.
	few, pub := clerkBundle(t, "intranet")
	rows := toolRows(t, e.mustRunOut(t, "tools", "list", "--bundle", few, "--trust-key", pub, "--json"))
	for name, r := range rows {
		if r.Granted == nil || *r.Granted {
			t.Errorf("bundle clerk declaring intranet: %s granted %v (%q)", name, r.Granted, r.Reason)
		}
	}
	// A bundle signed by a key nobody trusts is refused, as aios run refuses it.
	if code, _, errs := e.run("tools", "list", "--bundle", few); code != ExitRefused || !strings.Contains(errs, "trust") {
		t.Fatalf("untrusted bundle: exit %d, %s", code, errs)
	}
	for _, bad := range [][]string{{"--agent", "clerk", "--bundle", few}, {"--publisher", "local"}, {"--space", "team"}} {
		if code, _, _ := e.run(append([]string{"tools", "list"}, bad...)...); code != ExitUsage {
			t.Errorf("tools list %q: exit %d, want %d", bad, code, ExitUsage)
		}
	}
}

func TestToolsListWithoutTools(t *testing.T) {
	e := newOperatorEnv(t, "")
	out, errs := e.mustRun(t, "tools", "list")
	if out != "" || !strings.Contains(errs, "no tools are configured") {
		t.Fatalf("stdout %q, stderr %q", out, errs)
	}
}

func TestSchemaParams(t *testing.T) {
	for _, c := range []struct{ schema, req, opt string }{
		{`{"type":"object","properties":{"b":{},"a":{},"c":{}},"required":["c","a","c"]}`, "c,a", "b"},
		{`{"type":"object"}`, "", ""},
		{`not json`, "", ""},
		{``, "", ""},
	} {
		req, opt := schemaParams(json.RawMessage(c.schema))
		if strings.Join(req, ",") != c.req || strings.Join(opt, ",") != c.opt {
			t.Errorf("schemaParams(%s) = %v, %v; want %s; %s", c.schema, req, opt, c.req, c.opt)
		}
	}
	if s := paramSummary([]string{strings.Repeat("x", 100)}, nil); len(s) > maxParamSummary+len("…") {
		t.Errorf("paramSummary is not cut: %d bytes", len(s))
	}
}
