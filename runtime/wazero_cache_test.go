package runtime

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiosys/aios/hostcalls"
)

// compileIn compiles wasm in a new wazero engine caching in dir and says how long it took.
func compileIn(t *testing.T, dir string, wasm []byte) (Module, time.Duration) {
	t.Helper()
	e, err := NewWazero(context.Background(), Config{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	start := time.Now()
	m := compile(t, e, wasm)
	return m, time.Since(start)
}

// cacheFiles lists the regular files under dir.
func cacheFiles(t *testing.T, dir string) map[string]fs.FileInfo {
	t.Helper()
	files := map[string]fs.FileInfo{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		files[path] = fi
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestCompilationCacheWazero compiles a module in one engine, then in a new engine with the
// same cache directory: the second compile must be served from disk, which shows as no file
// written (wazero writes a new file, by rename, on every miss) and, where timing is meaningful,
// as a much faster compile.
func TestCompilationCacheWazero(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	wasm, name := goAgent(t), "Go program"
	if raceEnabled {
		// Compiling the Go program under -race takes half a minute; a small module shows the
		// same file-level behaviour.
		wasm, name = fixture(t, "noop.wasm"), "noop"
	}
	_, cold := compileIn(t, dir, wasm)
	before := cacheFiles(t, dir)
	if len(before) == 0 {
		t.Fatalf("no files in the cache directory after compiling the %s", name)
	}
	m, warm := compileIn(t, dir, wasm)
	after := cacheFiles(t, dir)
	if len(after) != len(before) {
		t.Errorf("cache files: %d before, %d after the second compile", len(before), len(after))
	}
	for path, fi := range before {
		if fa, ok := after[path]; !ok || !os.SameFile(fi, fa) || !fa.ModTime().Equal(fi.ModTime()) {
			t.Errorf("cache file %s was rewritten: the second compile missed the cache", path)
		}
	}
	t.Logf("%s: cold compile %v, from disk cache %v", name, cold, warm)
	if !raceEnabled && warm > cold/3 {
		t.Errorf("compile from the disk cache took %v, cold %v: want at least 3 times faster", warm, cold)
	}
	r := runModule(t, m, runSpec{})
	var exit *hostcalls.ExitError
	if r.err != nil && !(errors.As(r.err, &exit) && exit.Code == 3) {
		t.Errorf("cached module: Run = %v", r.err)
	}
}

func TestWazeroCacheDirError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if e, err := NewWazero(context.Background(), Config{CacheDir: filepath.Join(file, "cache")}); err == nil {
		_ = e.Close(context.Background())
		t.Fatal("NewWazero with a cache directory under a file: want an error")
	}
}

func TestWazeroBadTable(t *testing.T) {
	table := []hostcalls.Func{{Module: "aios", Name: "x", Params: []hostcalls.ValueType{7}}}
	if e, err := NewWazero(context.Background(), Config{Table: table}); err == nil {
		_ = e.Close(context.Background())
		t.Fatal("NewWazero with an unknown value type: want an error")
	}
}
