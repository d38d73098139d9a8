//go:build wasmtime

package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
)

// wasmtimeModulePath is the module whose version names the cache directory.
const wasmtimeModulePath = "github.com/bytecodealliance/wasmtime-go/v39"

// artifactFlavor is mixed into every cache key: the engine settings that change the compiled
// code. Wasmtime checks them again when it deserializes, so a stale key costs a compile only.
const artifactFlavor = "aios-wasmtime-artifact/1;epoch-interruption\n"

// wasmtimeVersion is the linked wasmtime-go version, e.g. "v39.0.1", or the major version
// when the binary carries no module information.
var wasmtimeVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != wasmtimeModulePath {
				continue
			}
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			if d.Version != "" {
				return d.Version
			}
		}
	}
	return "v39"
})

// artifactCache keeps Wasmtime's compiled artifacts (Module.Serialize) on disk, one file per
// module named by the SHA-256 of the flavor and the wasm, in a directory per wasmtime-go
// version.
type artifactCache struct{ dir string }

func openArtifactCache(root string) (*artifactCache, error) {
	dir := filepath.Join(root, "wasmtime-"+wasmtimeVersion())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("compilation cache: %w", err)
	}
	return &artifactCache{dir: dir}, nil
}

func (c *artifactCache) path(wasm []byte) string {
	h := sha256.New()
	h.Write([]byte(artifactFlavor))
	h.Write(wasm)
	return filepath.Join(c.dir, hex.EncodeToString(h.Sum(nil))+".cwasm")
}

// load returns the artifact for wasm, if the cache has one that can be read.
func (c *artifactCache) load(wasm []byte) ([]byte, bool) {
	b, err := os.ReadFile(c.path(wasm))
	if err != nil || len(b) == 0 {
		return nil, false
	}
	return b, true
}

// store writes the artifact for wasm atomically (a temporary file renamed into place), so a
// concurrent load sees the whole artifact or none.
func (c *artifactCache) store(wasm, art []byte) error {
	tmp, err := os.CreateTemp(c.dir, ".tmp-*.cwasm")
	if err != nil {
		return fmt.Errorf("compilation cache: %w", err)
	}
	_, werr := tmp.Write(art)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return errors.Join(fmt.Errorf("compilation cache: write %s: %w", tmp.Name(), err), os.Remove(tmp.Name()))
	}
	if err := os.Rename(tmp.Name(), c.path(wasm)); err != nil {
		return errors.Join(fmt.Errorf("compilation cache: %w", err), os.Remove(tmp.Name()))
	}
	return nil
}
