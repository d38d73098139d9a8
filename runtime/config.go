package runtime

import "github.com/aiosys/aios/hostcalls"

// Config configures an Engine. The zero value is valid: no disk cache, hostcalls' own table.
type Config struct {
	// CacheDir keeps compiled modules on disk so that later engines, in this process or another,
	// skip compilation. Empty means compile in memory only. The directory is created if needed.
	CacheDir string
	// Table is the system-call table bound into every instance and checked at load; nil means
	// hostcalls.Table(). Embedders and tests may pass a subset.
	Table []hostcalls.Func
}
