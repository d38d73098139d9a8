package cli

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// TestNoTerminalQueriesAtStartup runs `aios version` at a real terminal (script(1) gives it a
// pty): it must print its line and nothing else. Bubble Tea's initialisation would otherwise
// ask the terminal for its background colour (OSC 11) and the cursor position on every
// command, which shows as garbage and swallows answers typed early (see internal/quietterm).
func TestNoTerminalQueriesAtStartup(t *testing.T) {
	bin := aiosBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	out, err := exec.CommandContext(ctx, "script", "-qec", bin+" version", "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%q", err, out)
	}
	if strings.ContainsRune(string(out), '\x1b') || !strings.HasPrefix(string(out), "aios ") {
		t.Fatalf("at a terminal, aios version printed %q: want its line and no escape sequences", out)
	}
}
