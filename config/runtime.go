package config

import (
	"fmt"

	"github.com/aiosys/aios/runtime"
)

// Runtime is the [runtime] table: how the WebAssembly engine runs agents. Its settings are the
// wasmtime engine's (bin/aios-wasmtime, --engine wasmtime); wazero has no use for them. The
// zero value is the engine's defaults.
type Runtime struct {
	// MaxRunning bounds the agents the engine runs at once; more wait for a place (zero:
	// 2048). It is also the number of slots in the engine's pool.
	MaxRunning int
	// Pool configures the engine's pooling allocator.
	Pool runtime.PoolConfig
}

// Engine returns the engine configuration r describes, beside the compiled-module cache at
// cacheDir ("" for none).
func (r Runtime) Engine(cacheDir string) runtime.Config {
	return runtime.Config{CacheDir: cacheDir, MaxRunning: r.MaxRunning, Pool: r.Pool}
}

type fileRuntime struct {
	MaxRunning int      `toml:"max_running"`
	Pool       filePool `toml:"pool"`
}

type filePool struct {
	OnDemand      bool `toml:"on_demand"`
	TableElements int  `toml:"table_elements"`
	InstanceSize  Size `toml:"instance_size"`
	KeepResident  Size `toml:"keep_resident"`
}

// runtime converts the table, refusing a value out of its range by its key.
func (f fileRuntime) runtime() (Runtime, error) {
	counts := []struct {
		key      string
		v, limit int
	}{
		{"runtime.max_running", f.MaxRunning, runtime.MostRunning},
		{"runtime.pool.table_elements", f.Pool.TableElements, runtime.MostTableElements},
	}
	for _, c := range counts {
		if c.v < 0 || c.v > c.limit {
			return Runtime{}, fmt.Errorf("%s: %d is not between 0 (the default) and %d", c.key, c.v, c.limit)
		}
	}
	sizes := []struct {
		key   string
		v     Size
		limit int
	}{
		{"runtime.pool.instance_size", f.Pool.InstanceSize, runtime.MostInstanceSize},
		{"runtime.pool.keep_resident", f.Pool.KeepResident, runtime.MostKeepResident},
	}
	for _, s := range sizes {
		if s.v > Size(s.limit) {
			return Runtime{}, fmt.Errorf("%s: %s is more than the most allowed, %s", s.key, s.v, Size(s.limit))
		}
	}
	return Runtime{MaxRunning: f.MaxRunning, Pool: runtime.PoolConfig{
		OnDemand:      f.Pool.OnDemand,
		TableElements: f.Pool.TableElements,
		InstanceSize:  int(f.Pool.InstanceSize),
		KeepResident:  int(f.Pool.KeepResident),
	}}, nil
}
