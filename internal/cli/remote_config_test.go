package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios/config"
)

// TestRemoteCommandsReadTheKernelFromConfig: with neither flags nor environment, `aios ps`
// finds the kernel and its token in [remote] of aios.toml; a token file others may read is
// refused with the fix, and so is one holding no token.
func TestRemoteCommandsReadTheKernelFromConfig(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte(k.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "aios.toml")
	if err := os.WriteFile(cfg, []byte("[remote]\nkernel = \""+k.url+"\"\ntoken_file = \"token\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.EnvConfig, cfg)
	ps := func() (int, string) {
		var out, errOut bytes.Buffer
		code := Main([]string{"ps", "--json"}, strings.NewReader(""), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := ps(); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("ps with [remote]: exit %d:\n%s", code, out)
	}
	if err := os.Chmod(token, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := ps(); code != ExitConfig || !strings.Contains(out, "chmod 600 "+token) {
		t.Fatalf("a token file others may read: exit %d, want %d:\n%s", code, ExitConfig, out)
	}
	if err := os.WriteFile(token, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(token, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := ps(); code != ExitConfig || !strings.Contains(out, "holds no token") {
		t.Fatalf("an empty token file: exit %d, want %d:\n%s", code, ExitConfig, out)
	}
}
