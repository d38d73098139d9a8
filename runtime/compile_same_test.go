package runtime

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// TestSameModuleCompiledAtOnceFromTheDiskCache compiles and runs one module on several
// goroutines at once, round after round; between rounds every compiled copy is closed, so each
// round's compiles read wazero's disk cache (see sameModuleLocks). Without the locks, an
// instance of a module still being made panics or, under -race, races.
func TestSameModuleCompiledAtOnceFromTheDiskCache(t *testing.T) {
	ctx := context.Background()
	e, err := NewWazero(ctx, Config{CacheDir: filepath.Join(t.TempDir(), "cache")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(ctx)
	wasm := fixture(t, "minimal.wasm")
	for round := range 30 {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				m, err := e.Compile(ctx, wasm)
				if err != nil {
					errs[i] = err
					return
				}
				defer m.Close(ctx)
				errs[i] = runModule(t, m, runSpec{}).err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, compile and run %d: %v", round, i, err)
			}
		}
	}
}
