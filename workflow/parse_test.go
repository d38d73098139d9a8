package workflow

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// agentDir is a directory with the agent files the test workflows name.
func agentDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"a.wasm", "b.wasm"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestParseGoodWorkflow(t *testing.T) {
	dir := agentDir(t)
	w, err := Parse([]byte(`
name = "deploy"
[[steps]]
id = "build"
agent = "a.wasm"
input = "go"
retries = 2
timeout = "30s"
memory = "64MiB"
env = ["K=V"]
fallback = "rescue"
[[steps]]
id = "test"
agent = "b.wasm"
inputs = ["build"]
when = "build.exit == 0 or build.exit != 3"
confirm = true
priority = -2
[[steps]]
id = "rescue"
agent = "a.wasm"
`), dir, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, test, rescue := w.Step("build"), w.Step("test"), w.Step("rescue")
	if w.Name != "deploy" || b.Retries != 2 || b.Timeout.String() != "30s" || b.Memory != 64<<20 ||
		string(b.Input) != "go" || !b.HasInput || b.AgentPath != filepath.Join(dir, "a.wasm") {
		t.Errorf("build step decoded as %+v", b)
	}
	if !test.Confirm || test.Priority != -2 || test.When.String() != "build.exit == 0 or build.exit != 3" ||
		strings.Join(test.After(), ",") != "build" {
		t.Errorf("test step decoded as %+v", test)
	}
	if rescue.FallbackFor() != "build" {
		t.Errorf("rescue stands in for %q, want build", rescue.FallbackFor())
	}
	if levels := w.Levels(); len(levels) != 2 || levels[0][0] != b || levels[1][0] != test {
		t.Errorf("levels %v", levels)
	}
}

// TestParseRefuses checks that each problem is refused before anything runs, with a message
// naming the step and the field.
func TestParseRefuses(t *testing.T) {
	cases := []struct{ name, file, want string }{
		{"unknown top-level key", "colour = 1\n" + step("a", ""), `"colour"? unknown key|colour: unknown key`},
		{"unknown step key", step("a", `colour = "red"`), "step a: colour: unknown key"},
		{"no steps", `name = "x"`, "steps: the workflow has no"},
		{"duplicate id", step("a", "") + step("a", ""), "step a: id: duplicate"},
		{"missing id", "[[steps]]\nagent = \"a.wasm\"\n", "step #1: id: missing"},
		{"id with a newline", "[[steps]]\nid = \"a\\nb\"\nagent = \"a.wasm\"\n", `step #1: id: "a\\nb": want 1 to 64`},
		{"id with an escape", "[[steps]]\nid = \"a\\u001b[2J\"\nagent = \"a.wasm\"\n", `step #1: id: "a\\x1b\[2J"`},
		{"id too long", step(strings.Repeat("x", 65), ""), "step #1: id: .*want 1 to 64"},
		{"reserved id", step("aios", ""), `step aios: id: "aios" is reserved`},
		{"wrong type", step("a", `retries = "two"`), "step a: retries: want an integer"},
		{"unknown need", step("a", `needs = ["zz"]`), `step a: needs: unknown step "zz"`},
		{"unknown input", step("a", `inputs = ["zz"]`), `step a: inputs: unknown step "zz"`},
		{"unknown fallback", step("a", `fallback = "zz"`), `step a: fallback: unknown step "zz"`},
		{"unknown step in when", step("a", `when = "zz.exit == 0"`), `step a: when: unknown step "zz"`},
		{"self need", step("a", `needs = ["a"]`), "step a: needs: a step cannot refer to itself"},
		{"self fallback", step("a", `fallback = "a"`), "step a: fallback: a step cannot be its own fallback"},
		{"cycle", step("a", `needs = ["c"]`) + step("b", `needs = ["a"]`) + step("c", `inputs = ["b"]`),
			"needs: dependency cycle: [abc] -> [abc] -> [abc] -> [abc]"},
		{"missing agent file", "[[steps]]\nid = \"a\"\nagent = \"nothere.wasm\"\n", "step a: agent: .*nothere.wasm: no such file"},
		{"agent is a directory", "[[steps]]\nid = \"a\"\nagent = \".\"\n", "step a: agent: .* is a directory"},
		{"fallback in the chain", step("a", "") + step("b", `needs = ["a"]`+"\n"+`fallback = "a"`),
			"step b: fallback: a is in b's dependency chain \\(a -> b\\)"},
		{"fallback needed by another", step("a", `fallback = "f"`) + step("f", "") + step("c", `needs = ["f"]`),
			"step c: needs: f is a fallback step"},
		{"fallback with needs", step("a", `fallback = "f"`) + step("f", `needs = ["b"]`) + step("b", ""),
			"step f: needs: a fallback step \\(of a\\)"},
		{"fallback twice", step("a", `fallback = "f"`) + step("b", `fallback = "f"`) + step("f", ""),
			"step b: fallback: f is already the fallback of a"},
		{"fallback loop", step("a", `fallback = "f"`) + step("f", `fallback = "a"`), "fallbacks form a loop|dependency chain|already the fallback"},
		{"bad duration", step("a", `timeout = "soon"`), `step a: timeout: "soon": want a duration`},
		{"negative duration", step("a", `timeout = "-1s"`), `step a: timeout: "-1s": want a positive duration`},
		{"huge duration", step("a", `timeout = "100000h"`), `step a: timeout: "100000h" is longer than 24h`},
		{"negative retries", step("a", `retries = -1`), "step a: retries: -1 is negative"},
		{"huge retries", step("a", `retries = 9223372036854775807`), "step a: retries: 9223372036854775807 is more than 10"},
		{"bad memory", step("a", `memory = "lots"`), `step a: memory: size "lots"`},
		{"tiny memory", step("a", `memory = "1KiB"`), `step a: memory: "1KiB" is less than one WebAssembly page`},
		{"bad env", step("a", `env = ["NOEQUALS"]`), `step a: env: "NOEQUALS": want KEY=VALUE`},
		{"input and inputs", step("a", "") + step("b", `input = "x"`+"\n"+`inputs = ["a"]`), "step b: input: input and inputs exclude each other"},
		{"bad when", step("a", "") + step("b", `when = "a.exit > 0"`), `step b: when: "a.exit > 0": unexpected character '>'`},
		{"when without comparison", step("a", "") + step("b", `when = "a.exit == 0 and"`), `step b: when: .*want STEP.exit == N`},
		{"when with a huge code", step("a", "") + step("b", `when = "a.exit == 99999999999"`), `step b: when: .*want a whole number`},
		{"huge priority", step("a", `priority = 9223372036854775807`), "step a: priority: .* is out of range"},
		{"agent with a newline", "[[steps]]\nid = \"a\"\nagent = \"a\\n.wasm\"\n", `step a: agent: "a\\n.wasm" is not a usable path`},
		{"name with an escape", "name = \"x\\u001b\"\n" + step("a", ""), `name: "x\\x1b": want at most 256 printable`},
		{"not toml", "[[steps]\n", "line 2: expected end of table array name"},
	}
	dir := agentDir(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.file), dir, ParseOptions{})
			if err == nil {
				t.Fatalf("accepted:\n%s", c.file)
			}
			if !matches(c.want, err.Error()) {
				t.Errorf("error:\n%s\nwant it to match %q", err, c.want)
			}
		})
	}
}

// step is a [[steps]] table with id, agent a.wasm and extra lines.
func step(id, extra string) string {
	return fmt.Sprintf("[[steps]]\nid = %q\nagent = \"a.wasm\"\n%s\n", id, extra)
}

func TestParseAcceptsHubReferencesWhenAllowed(t *testing.T) {
	file := "[[steps]]\nid = \"a\"\nagent = \"localhost:5000/agents/a:1.0\"\n"
	if _, err := Parse([]byte(file), t.TempDir(), ParseOptions{}); err == nil {
		t.Fatal("a hub reference was accepted without IsRef")
	}
	w, err := Parse([]byte(file), t.TempDir(), ParseOptions{IsRef: func(s string) bool { return strings.HasPrefix(s, "localhost:") }})
	if err != nil {
		t.Fatal(err)
	}
	if s := w.Step("a"); s.AgentPath != "" || s.Agent != "localhost:5000/agents/a:1.0" {
		t.Errorf("step %+v", s)
	}
}

// TestParseRefusesTooManySteps shows that a 10,000-step file is refused with a clear message
// after its parse, before any step is decoded or checked.
func TestParseRefusesTooManySteps(t *testing.T) {
	var b strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&b, "[[steps]]\nid = \"s%d\"\nagent = \"a.wasm\"\nneeds = [\"s%d\"]\n", i, i+1)
	}
	_, err := Parse([]byte(b.String()), agentDir(t), ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "the workflow has 10000 steps; at most 1000 are allowed") {
		t.Fatalf("error %v", err)
	}
	if strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("more than one problem reported:\n%s", err)
	}
}

func TestParseStopsListingAfterFiftyProblems(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "[[steps]]\nid = \"s%d\"\nagent = \"nothere.wasm\"\n", i)
	}
	_, err := Parse([]byte(b.String()), t.TempDir(), ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "stopped after 50 problems") {
		t.Fatalf("error %v", err)
	}
}

func TestLoadRefusesHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(path, []byte("# "+strings.Repeat("x", MaxFileSize)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, ParseOptions{}); err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") {
		t.Fatalf("error %v", err)
	}
}
