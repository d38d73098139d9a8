package aios

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/runtime"
	"github.com/aiosys/aios/runtime/preinit"
)

// preinitTimeout bounds a module's _initialize when the kernel pre-initialises it at load: far
// more than a real initialisation takes; one that runs longer is started plainly instead.
const preinitTimeout = time.Minute

// preinitCache pre-initialises plain reactor modules at load ([preinit] auto) and keeps the
// results in a directory, one file per module digest: "HEX.wasm" for a pre-initialised module,
// "HEX.refused" (holding the reason) for one that cannot be, so that it is not tried again.
type preinitCache struct {
	dir       string
	maxCached int
	flight    singleflight.Group
	runs      atomic.Int64 // pre-initialisations made, for tests
}

// PreinitDir is where [preinit] auto keeps pre-initialised modules, under the data directory.
const PreinitDir = "cache/preinit"

// openPreinitCache opens cfg's cache of pre-initialised modules.
func openPreinitCache(cfg config.Config) (*preinitCache, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("preinit.auto needs a data directory (data_dir or $" + config.EnvDataDir + ") for its cache")
	}
	return newPreinitCache(filepath.Join(cfg.DataDir, filepath.FromSlash(PreinitDir)), cfg.Preinit.MaxCached)
}

func newPreinitCache(dir string, maxCached int) (*preinitCache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("preinit cache: %w", err)
	}
	if maxCached <= 0 {
		maxCached = config.DefaultPreinitCached
	}
	return &preinitCache{dir: dir, maxCached: maxCached}, nil
}

// module returns the module to compile for wasm and whether it is wasm's pre-initialised
// form: it is when wasm is a plain reactor that can be pre-initialised. It never fails a load:
// a module that cannot be pre-initialised runs as it is, as it would without the cache.
func (c *preinitCache) module(ctx context.Context, wasm []byte) ([]byte, bool) {
	if !isPlainReactor(wasm) {
		return wasm, false
	}
	sum := sha256.Sum256(wasm)
	key := hex.EncodeToString(sum[:])
	out, _, _ := c.flight.Do(key, func() (any, error) {
		return c.lookupOrMake(ctx, key, wasm), nil
	})
	p := out.(preinitialised)
	if !p.ok {
		return wasm, false
	}
	return p.wasm, true
}

// preinitialised is a lookup's answer: the pre-initialised module, if there is one.
type preinitialised struct {
	wasm []byte
	ok   bool
}

// isPlainReactor reports whether wasm is a module aios would pre-initialise at load: a reactor
// that is not a bundle (a bundle is pre-initialised when packed, `aios pack --preinit`, so
// that the snapshot is signed with it).
func isPlainReactor(wasm []byte) bool {
	if _, err := bundle.Open(wasm); !errors.Is(err, bundle.ErrNoManifest) {
		return false
	}
	rep, err := runtime.Inspect(wasm)
	return err == nil && runtime.IsReactor(rep)
}

func (c *preinitCache) lookupOrMake(ctx context.Context, key string, wasm []byte) preinitialised {
	path := filepath.Join(c.dir, key+".wasm")
	if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
		now := time.Now()
		_ = os.Chtimes(path, now, now) // most recently used
		return preinitialised{b, true}
	}
	if _, err := os.Stat(filepath.Join(c.dir, key+".refused")); err == nil {
		return preinitialised{}
	}
	c.runs.Add(1)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), preinitTimeout)
	defer cancel()
	res, err := preinit.Run(ctx, wasm)
	if err != nil {
		if ctx.Err() == nil { // a refusal or a trap is the module's own; a timeout may be load
			_ = c.write(key+".refused", []byte(err.Error()))
			c.evict()
		}
		return preinitialised{}
	}
	_ = c.write(key+".wasm", res.Module)
	c.evict()
	return preinitialised{res.Module, true}
}

// write stores name atomically: a crash leaves the old file or the new one, never a part.
func (c *preinitCache) write(name string, data []byte) error {
	tmp, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(c.dir, name))
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
	}
	return werr
}

// evict removes the least recently used entries past maxCached.
func (c *preinitCache) evict() {
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type entry struct {
		name string
		used time.Time
	}
	var mods []entry
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".wasm") && !strings.HasSuffix(e.Name(), ".refused") {
			continue
		}
		if info, err := e.Info(); err == nil {
			mods = append(mods, entry{e.Name(), info.ModTime()})
		}
	}
	if len(mods) <= c.maxCached {
		return
	}
	slices.SortFunc(mods, func(a, b entry) int { return a.used.Compare(b.used) })
	for _, m := range mods[:len(mods)-c.maxCached] {
		if err := os.Remove(filepath.Join(c.dir, m.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
}

// plainModule is an agent's module as given, when the agent runs its pre-initialised form:
// compiled on first use, for durable runs, whose journals must replay the same start whatever
// [preinit] says when they are resumed or replayed.
type plainModule struct {
	wasm []byte
	once sync.Once
	m    runtime.Module
	err  error
}

// moduleFor is the compiled module a run of a starts: the plain one for a durable run.
func (a *Agent) moduleFor(ctx context.Context, o RunOptions) (runtime.Module, error) {
	p := a.plain
	if p == nil || o.Journal == nil {
		return a.module, nil
	}
	p.once.Do(func() {
		p.m, p.err = a.sys.engine.Compile(context.WithoutCancel(ctx), p.wasm)
		if p.err != nil {
			p.err = fmt.Errorf("compile %s: %w", a.name, p.err)
		}
	})
	return p.m, p.err
}

func (p *plainModule) close(ctx context.Context) error {
	if p == nil || p.m == nil {
		return nil
	}
	return p.m.Close(ctx)
}
