package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/server"
)

// TestKernelServeTakesDefaultsFromConfig: [server] gives the listen address, the tokens file and
// the modules directory when the flags do not, and a flag given wins.
func TestKernelServeTakesDefaultsFromConfig(t *testing.T) {
	t.Setenv(EnvTokensFile, "")
	dir := t.TempDir()
	_, line, err := server.NewToken("alice")
	if err != nil {
		t.Fatal(err)
	}
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := config.Serve{Listen: "0.0.0.0:7421", TokensFile: tokens, ModulesDir: dir}
	o := &KernelServeOptions{IO: &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard},
		Listen: "127.0.0.1:7420", LogFormat: "text"}
	o.applyConfig(c)
	so, err := o.check()
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if o.Listen != c.Listen || so.Tokens == nil || so.Tokens.Len() != 1 || so.ModulesDir != dir {
		t.Fatalf("listen %q, tokens %v, modules dir %q: the [server] table was not applied", o.Listen, so.Tokens, so.ModulesDir)
	}

	given := &KernelServeOptions{IO: o.IO, Listen: "127.0.0.1:9999", listenSet: true, TokensFile: tokens, LogFormat: "text"}
	given.applyConfig(config.Serve{Listen: "0.0.0.0:1"})
	if given.Listen != "127.0.0.1:9999" {
		t.Fatalf("--listen given was replaced by [server] listen: %q", given.Listen)
	}
}
