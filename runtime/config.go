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
	// MaxRunning bounds the agents one wasmtime engine runs at once (zero: 2048); more wait for
	// a place. wasmtime is called through cgo, so an agent blocked in a system call holds an OS
	// thread: the bound keeps the process under its thread and memory-map limits. wazero has no
	// such cost and ignores it.
	MaxRunning int
}
