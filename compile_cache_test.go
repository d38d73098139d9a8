package aios

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// sharedCompiled is one compiled-module cache for the whole test binary: every test makes a
// data directory of its own, and without this each would compile the same Go agents again,
// which under the race detector takes tens of seconds a test.
var sharedCompiled = sync.OnceValues(func() (string, error) { return binaryTempDir("aios-test-compiled-") })

// binaryDirs are directories that live as long as the test binary; TestMain removes them.
var binaryDirs struct {
	sync.Mutex
	paths []string
}

// binaryTempDir makes a directory that lives as long as the test binary.
func binaryTempDir(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err == nil {
		binaryDirs.Lock()
		binaryDirs.paths = append(binaryDirs.paths, dir)
		binaryDirs.Unlock()
	}
	return dir, err
}

func TestMain(m *testing.M) {
	code := m.Run()
	binaryDirs.Lock()
	for _, dir := range binaryDirs.paths {
		_ = os.RemoveAll(dir)
	}
	binaryDirs.Unlock()
	os.Exit(code)
}

// shareCompileCache points dataDir's compiled-module cache (cache/compiled, see New) at the
// test binary's shared one. wazero writes its cache entries whole, by rename, so tests that
// share it see complete entries or none.
func shareCompileCache(t testing.TB, dataDir string) {
	t.Helper()
	shared, err := sharedCompiled()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(shared, filepath.Join(dataDir, "cache", "compiled")); err != nil {
		t.Fatal(err)
	}
}
