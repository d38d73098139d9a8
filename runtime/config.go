package runtime

import (
	"fmt"

	"github.com/aiosys/aios/hostcalls"
)

// Config configures an Engine. The zero value is valid: no disk cache, hostcalls' own table,
// and on wasmtime a pool of instance slots sized by the defaults below.
type Config struct {
	// CacheDir keeps compiled modules on disk so that later engines, in this process or another,
	// skip compilation. Empty means compile in memory only. The directory is created if needed.
	CacheDir string
	// Table is the system-call table bound into every instance and checked at load; nil means
	// hostcalls.Table(). Embedders and tests may pass a subset.
	Table []hostcalls.Func
	// MaxRunning bounds the agents one wasmtime engine runs at once (zero: 2048; at most
	// 8192); more wait for a place. wasmtime is called through cgo, so an agent blocked in a
	// system call holds an OS thread: the bound keeps the process under its thread and
	// memory-map limits. It is also the number of slots in the wasmtime engine's pool (Pool).
	// wazero has no such cost and ignores it.
	MaxRunning int
	// Pool configures the wasmtime engine's pooling allocator; wazero ignores it.
	Pool PoolConfig
}

// PoolConfig configures the pooling allocator of the wasmtime engine. The engine reserves, when
// it starts, one slot per running agent (Config.MaxRunning): address space for a linear memory
// of up to 4 GiB, one table and Wasmtime's per-instance state. An agent takes a free slot when
// it starts and gives it back, reset to zero, when it ends; its memory starts as a
// copy-on-write mapping of the module's memory image, kept mapped in the slot for the next
// agent of the same module. A slot's memory is address space only until an agent touches it:
// 2048 slots reserve about 8 TiB of the process's 128 TiB, and no RAM. The zero value is the
// default.
type PoolConfig struct {
	// OnDemand turns the pool off: every agent's memory, table and instance state are
	// allocated when it starts and freed when it ends.
	OnDemand bool
	// TableElements is the most elements a pooled agent's table holds, at its start or after
	// growing (zero: 100,000; at most 10,000,000). A module whose table starts larger runs
	// with on-demand allocation; a pooled agent's table.grow past it fails (-1).
	TableElements int
	// InstanceSize is the most bytes of Wasmtime's per-instance state (VMContext: globals,
	// function references, imports) in a slot (zero: 1 MiB; at most 64 MiB). A module that
	// needs more runs with on-demand allocation.
	InstanceSize int
	// KeepResident is how many bytes at the start of an ended agent's memory stay resident,
	// reset by copying, rather than given back to the OS (zero: none). It saves the next agent
	// of the module the page faults on them, and costs up to KeepResident bytes of RAM per
	// slot that has run an agent (at most 256 MiB).
	KeepResident int
}

// The largest values Config's counts and sizes may take (their defaults are the wasmtime
// engine's).
const (
	MostRunning       = 8192       // Config.MaxRunning
	MostTableElements = 10_000_000 // PoolConfig.TableElements
	MostInstanceSize  = 64 << 20   // PoolConfig.InstanceSize
	MostKeepResident  = 256 << 20  // PoolConfig.KeepResident
)

// Validate reports the first field of c that is out of range, by its name: a negative count
// or size, or one above its documented bound. Zero fields take their defaults.
func (c Config) Validate() error {
	checks := []struct {
		name     string
		v, limit int
	}{
		{"MaxRunning", c.MaxRunning, MostRunning},
		{"Pool.TableElements", c.Pool.TableElements, MostTableElements},
		{"Pool.InstanceSize", c.Pool.InstanceSize, MostInstanceSize},
		{"Pool.KeepResident", c.Pool.KeepResident, MostKeepResident},
	}
	for _, ch := range checks {
		if ch.v < 0 {
			return fmt.Errorf("runtime config: %s is %d, a negative number", ch.name, ch.v)
		}
		if ch.v > ch.limit {
			return fmt.Errorf("runtime config: %s is %d, more than the most allowed, %d", ch.name, ch.v, ch.limit)
		}
	}
	return nil
}
