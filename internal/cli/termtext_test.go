package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios/policy/audit"
)

func TestSafeText(t *testing.T) {
	for _, c := range []struct{ in, text, lines string }{
		{"plain words\tand a tab", "plain words\tand a tab", "plain words\tand a tab"},
		{"a\naios: fake\r\x1b[2J", `a\naios: fake\r\x1b[2J`, "a\naios: fake\\r\\x1b[2J"},
		{"bell\x07 del\x7f nul\x00", `bell\x07 del\x7f nul\x00`, `bell\x07 del\x7f nul\x00`},
		{"csi\u009b1m", `csi\x9b1m`, `csi\x9b1m`},
		{"rtl \u202eevil", `rtl \u202eevil`, `rtl \u202eevil`},
		{"bad \xff utf-8", `bad \xff utf-8`, `bad \xff utf-8`},
		{"ünïcödé ✓", "ünïcödé ✓", "ünïcödé ✓"},
	} {
		if got := safeText(c.in); got != c.text {
			t.Errorf("safeText(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := safeLines(c.in); got != c.lines {
			t.Errorf("safeLines(%q) = %q, want %q", c.in, got, c.lines)
		}
	}
}

func TestSplitLines(t *testing.T) {
	for in, want := range map[string][]string{
		"one":          {"one"},
		"one\n":        {"one"},
		"a\r\nb\r\n":   {"a", "b"},
		"a\n\nb":       {"a", "", "b"},
		"bare\rcr\n":   {"bare\rcr"},
		"":             {""},
		"x\naios: y\r": {"x", "aios: y"},
	} {
		got := splitLines(in)
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("splitLines(%q) = %q, want %q", in, got, want)
		}
	}
}

// hostileModule is a module whose import and custom section names hold terminal escapes.
func hostileModule() []byte {
	name := "\x1b[2J"
	imp := append([]byte{1, 4}, "aios"...)
	imp = append(imp, byte(len(name)))
	imp = append(imp, name...)
	imp = append(imp, 0x00, 0x00) // func of type 0
	custom := append([]byte{byte(len(name))}, name...)
	custom = append(custom, "payload"...)
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, 1, 4, 1, 0x60, 0, 0) // type section: () -> ()
	m = append(m, 2, byte(len(imp)))
	m = append(m, imp...)
	m = append(m, 0, byte(len(custom)))
	return append(m, custom...)
}

// TestModuleNamesNeutralised: names inside a module reach the terminal through inspect's
// report and run's refusal; neither passes an escape through.
func TestModuleNamesNeutralised(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hostile.wasm")
	if err := os.WriteFile(path, hostileModule(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"inspect", path}, {"run", path}} {
		var stdout, stderr bytes.Buffer
		code := Main(args, strings.NewReader(""), &stdout, &stderr)
		if code != ExitRefused {
			t.Errorf("aios %s: exit %d, want %d\n%s", args[0], code, ExitRefused, stderr.Bytes())
		}
		out := stdout.String() + stderr.String()
		if strings.ContainsRune(out, 0x1b) {
			t.Errorf("aios %s let an escape through:\n%q", args[0], out)
		}
		if !strings.Contains(out, `\x1b[2J`) {
			t.Errorf("aios %s does not show the escaped name:\n%s", args[0], out)
		}
	}
}

// TestAuditLineNeutralised: a denial's reason may quote what the agent asked for.
func TestAuditLineNeutralised(t *testing.T) {
	e := audit.Entry{Agent: "w", Call: "llm_generate", Reason: "model \"x\x1b[2J\naios: fake\" is not allowed"}
	got := auditLine(e)
	if strings.ContainsAny(got, "\x1b\n\r") || !strings.Contains(got, `x\x1b[2J\naios: fake`) {
		t.Errorf("auditLine = %q", got)
	}
}
