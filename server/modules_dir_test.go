package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiosys/aios/client"
)

func TestServerSidePathsStayInTheModulesDir(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	minimal := fixture(t, "minimal")
	if err := os.MkdirAll(filepath.Join(dir, "agents"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "agents", "hello.wasm"), minimal, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.wasm"), minimal, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.wasm"), filepath.Join(dir, "link.wasm")); err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, "", nil, Options{ModulesDir: dir})
	c := s.client("")
	run, err := c.Submit(context.Background(), client.RunRequest{Path: "agents/hello.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	if done := waitFinal(t, c, run.ID); done.Status != client.StatusExited || done.Name != "hello" {
		t.Fatalf("run = %+v, want hello exited", done)
	}
	b64, _ := json.Marshal(minimal)
	for _, tc := range []struct{ name, body, want string }{
		{"parent", `{"path": "../` + filepath.Base(outside) + `/secret.wasm"}`, "inside the modules directory"},
		{"absolute", `{"path": "` + filepath.Join(outside, "secret.wasm") + `"}`, "inside the modules directory"},
		{"symlink out", `{"path": "link.wasm"}`, "link.wasm"},
		{"missing", `{"path": "nope.wasm"}`, "no such file"},
		{"directory", `{"path": "agents"}`, "not a regular file"},
		{"both", `{"path": "agents/hello.wasm", "module": ` + string(b64) + `}`, "give one of them, not several"},
	} {
		if status, msg := post(t, s, tc.body); status != 400 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %q, want 400 naming %q", tc.name, status, msg, tc.want)
		}
	}

	plain := newTestServer(t, "", nil, Options{})
	if status, msg := post(t, plain, `{"path": "agents/hello.wasm"}`); status != 400 || !strings.Contains(msg, "no --modules-dir") {
		t.Errorf("a path without a modules directory: %d %q, want 400", status, msg)
	}
}
