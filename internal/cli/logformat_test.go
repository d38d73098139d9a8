package cli

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonRecords parses every line of a --log-format json standard error; each must be one
// object with time, level and msg.
func jsonRecords(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("standard error line %q is not a JSON record: %v\nall of it:\n%s", line, err, stderr)
		}
		for _, key := range []string{"time", "level", "msg"} {
			if _, ok := rec[key]; !ok {
				t.Errorf("record %s has no %q", line, key)
			}
		}
		out = append(out, rec)
	}
	return out
}

// find returns the first record whose fields include want's, or nil.
func find(recs []map[string]any, want map[string]any) map[string]any {
next:
	for _, r := range recs {
		for k, v := range want {
			if r[k] != v {
				continue next
			}
		}
		return r
	}
	return nil
}

// runLogJSON runs `aios run --log-format json` with args in a data directory of its own.
func runLogJSON(t *testing.T, args ...string) (code int, stdout string, recs []map[string]any) {
	t.Helper()
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("AIOS_DATA_DIR", t.TempDir())
	t.Setenv(EnvLogFormat, "")
	var out, errOut bytes.Buffer
	code = Main(append([]string{"run", "--log-format", "json"}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), jsonRecords(t, errOut.String())
}

func fixturePath(name string) string { return filepath.Join("..", "..", "testdata", name) }

func TestRunLogFormatJSONHostileAgent(t *testing.T) {
	code, stdout, recs := runLogJSON(t, fixturePath("rogue.wasm"), "--tenant", "acme")
	if code != 72 {
		t.Errorf("exit %d, want the agent's 72", code)
	}
	if stdout != "a\naios: fake\r\x1b[2J\n" {
		t.Errorf("stdout %q: the output must pass unchanged", stdout)
	}
	checks := []map[string]any{
		{"origin": "aios", "level": "INFO", "msg": "no LLM cores configured; the built-in echo core answers (deterministic replies, no model)"},
		// The agent's text is kept whole, escaped by JSON: it cannot forge a record.
		{"origin": "agent", "level": "INFO", "msg": "a\naios: fake\r\x1b[2J", "agent": "rogue", "pid": float64(1), "tenant": "acme"},
		{"origin": "agent", "level": "WARN", "msg": "b\raios: rogue[2] stderr\x1b]0;title\a", "agent": "rogue"},
		{"origin": "aios", "msg": "run ended", "agent": "rogue", "pid": float64(1), "exit_code": float64(72), "cause": "agent", "calls": float64(3)},
	}
	for _, want := range checks {
		if find(recs, want) == nil {
			t.Errorf("no record with %v among %v", want, recs)
		}
	}
}

func TestRunLogFormatJSONGenerationAndErrors(t *testing.T) {
	code, stdout, recs := runLogJSON(t, fixturePath("generate.wasm"))
	if code != 0 || !strings.Contains(stdout, "echo: hello from a minimal agent") {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	if r := find(recs, map[string]any{"msg": "run ended"}); r == nil || r["generations"] != float64(1) || r["output_tokens"] != float64(5) || r["cost"] == nil {
		t.Errorf("run ended record %v, want 1 generation and 5 output tokens", r)
	}

	// An error aios reports itself, after the command started, is a record too, and the exit
	// code is kept.
	code, _, recs = runLogJSON(t, filepath.Join(t.TempDir(), "missing.wasm"))
	if code != ExitNoInput {
		t.Errorf("missing file: exit %d, want %d", code, ExitNoInput)
	}
	if r := find(recs, map[string]any{"level": "ERROR", "exit_code": float64(ExitNoInput)}); r == nil || !strings.Contains(r["msg"].(string), "missing.wasm") {
		t.Errorf("no error record naming the file among %v", recs)
	}
}

func TestLogFormatFlagAndEnv(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main([]string{"run", "--log-format", "xml", fixturePath("minimal.wasm")}, strings.NewReader(""), &out, &errOut); code != ExitUsage ||
		!strings.Contains(errOut.String(), `--log-format (or $AIOS_LOG_FORMAT) "xml": use text or json`) {
		t.Errorf("--log-format xml: exit %d, %q", code, errOut.String())
	}
	t.Setenv("AIOS_DATA_DIR", t.TempDir())
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv(EnvLogFormat, "json")
	errOut.Reset()
	out.Reset()
	if code := Main([]string{"run", fixturePath("minimal.wasm")}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if find(jsonRecords(t, errOut.String()), map[string]any{"msg": "run ended", "agent": "minimal"}) == nil {
		t.Errorf("$%s=json: no run ended record in %q", EnvLogFormat, errOut.String())
	}
	// The flag wins over the environment, and text is what aios has always printed.
	errOut.Reset()
	if code := Main([]string{"run", "--log-format", "text", fixturePath("minimal.wasm")}, strings.NewReader(""), &out, &errOut); code != 0 ||
		!strings.Contains(errOut.String(), "aios: minimal[1] exited 0 after") || strings.Contains(errOut.String(), "{") {
		t.Errorf("--log-format text: exit %d, %q", code, errOut.String())
	}
	t.Setenv(EnvLogFormat, "yaml")
	errOut.Reset()
	if code := Main([]string{"run", fixturePath("minimal.wasm")}, strings.NewReader(""), &out, &errOut); code != ExitUsage {
		t.Errorf("$%s=yaml: exit %d, %q", EnvLogFormat, code, errOut.String())
	}
}

func TestLogHandlersEscapeControlCharacters(t *testing.T) {
	hostile := "evil\n\x1b[2Jtime=forged level=ERROR\r\xff"
	for _, format := range []string{logText, logJSON} {
		var b bytes.Buffer
		slog.New(newLogHandler(&b, format)).Info(hostile, slog.String("agent", hostile))
		out := b.String()
		if strings.Count(out, "\n") != 1 || strings.ContainsAny(out, "\x1b\r") || !utf8.ValidString(out) {
			t.Errorf("%s: %q holds raw control characters, invalid UTF-8 or more than one line", format, out)
		}
	}
}
