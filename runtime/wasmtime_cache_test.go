//go:build wasmtime

package runtime

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCompilationCacheWasmtime compiles a module in one engine, then in a new engine with the
// same cache directory: the second compile must load the artifact the first wrote, without
// rewriting it. A damaged artifact is replaced by a fresh compile.
func TestCompilationCacheWasmtime(t *testing.T) {
	dir := t.TempDir()
	wasm := fixture(t, "minimal.wasm")
	compile(t, newWasmtimeWith(t, Config{CacheDir: dir}), wasm)
	files, _ := filepath.Glob(filepath.Join(dir, "wasmtime-*", "*.cwasm"))
	if len(files) != 1 {
		t.Fatalf("artifacts after one compile: %v, want one", files)
	}
	before, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}

	m := compile(t, newWasmtimeWith(t, Config{CacheDir: dir}), wasm)
	after, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Error("the second compile rewrote the artifact: it missed the cache")
	}
	if r := runModule(t, m, runSpec{}); r.err != nil || string(r.proc.OutputBytes()) != "hello from wasm" {
		t.Errorf("cached module: Run = %v, output %q", r.err, r.proc.OutputBytes())
	}

	if err := os.WriteFile(files[0], []byte("not an artifact"), 0o600); err != nil {
		t.Fatal(err)
	}
	m = compile(t, newWasmtimeWith(t, Config{CacheDir: dir}), wasm)
	if b, _ := os.ReadFile(files[0]); string(b) == "not an artifact" {
		t.Error("a damaged artifact was not replaced")
	}
	if r := runModule(t, m, runSpec{}); r.err != nil {
		t.Errorf("module compiled over a damaged artifact: Run = %v", r.err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "wasmtime-*", ".tmp-*")); len(tmp) != 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
}

func TestWasmtimeCacheDirError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if e, err := NewWasmtime(context.Background(), Config{CacheDir: filepath.Join(file, "cache")}); err == nil {
		_ = e.Close(context.Background())
		t.Fatal("NewWasmtime with a cache directory under a file: want an error")
	}
}
