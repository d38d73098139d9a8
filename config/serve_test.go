package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestServerAndRemoteTables(t *testing.T) {
	dir := isolate(t)
	p := writeFile(t, dir, `
[server]
listen = "0.0.0.0:9000"
tokens_file = "tokens"
modules_dir = "~/agents"

[remote]
kernel = "https://kernel.example:7420"
token_file = "secrets/token"
`)
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	want := Serve{Listen: "0.0.0.0:9000", TokensFile: filepath.Join(dir, "tokens"), ModulesDir: filepath.Join(dir, "agents")}
	if cfg.Server != want {
		t.Errorf("server: %+v, want %+v", cfg.Server, want)
	}
	if r := (Remote{Kernel: "https://kernel.example:7420", TokenFile: filepath.Join(dir, "secrets", "token")}); cfg.Remote != r {
		t.Errorf("remote: %+v, want %+v", cfg.Remote, r)
	}
}

func TestServerAndRemoteErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"[server]\nlisten = \"7420\"\n", `server.listen "7420": want HOST:PORT`},
		{"[server]\nlisten = \"a\nb:1\"\n", "server.listen"},
		{"[remote]\nkernel = \"ftp://x\"\n", `remote.kernel "ftp://x": want the kernel's URL`},
		{"[remote]\nkernel = \"http://\"\n", "remote.kernel"},
		{"[remote]\ntoken = \"s3cret\"\n", `unknown key "remote.token"`},
	} {
		dir := isolate(t)
		_, err := Load(writeFile(t, dir, tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.text, err, tc.want)
		}
	}
}
