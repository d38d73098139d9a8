package config

import "fmt"

// DefaultPreinitCached is how many pre-initialised modules [preinit] keeps by default.
const DefaultPreinitCached = 64

// maxPreinitCached bounds [preinit] max_cached: each entry is a module with its memory, up to
// the memory limit of an agent.
const maxPreinitCached = 100_000

// Preinit configures the kernel's pre-initialisation of plain reactor modules (docs/ABI.md
// section 1.3): what `aios pack --preinit` does for a bundle, done at load for a module that
// was not packed, and kept in the data directory's cache.
type Preinit struct {
	// Auto pre-initialises each plain reactor module (no bundle manifest, exports aios_main and
	// no _start) when it is loaded, and starts its runs from the snapshot. Off by default: a
	// pre-initialised module starts every run from the same random state.
	Auto bool
	// MaxCached bounds the pre-initialised modules kept in the cache; the least recently used
	// go first. Zero is DefaultPreinitCached.
	MaxCached int
}

type filePreinit struct {
	Auto      bool `toml:"auto"`
	MaxCached int  `toml:"max_cached"`
}

func (f filePreinit) preinit() (Preinit, error) {
	if f.MaxCached < 0 || f.MaxCached > maxPreinitCached {
		return Preinit{}, fmt.Errorf("preinit.max_cached: %d is not between 0 and %d", f.MaxCached, maxPreinitCached)
	}
	p := Preinit(f)
	if p.MaxCached == 0 {
		p.MaxCached = DefaultPreinitCached
	}
	return p, nil
}
