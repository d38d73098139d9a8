package config

import (
	"fmt"
	"math"
)

// Journal configures the journals of durable runs (docs/DURABLE.md).
type Journal struct {
	// Fsync syncs each group commit of the journals to the disk, so that a journaled call
	// survives a power loss and not only a crash of the process. Off by default.
	Fsync bool
	// MaxRunBytes bounds one run's journal; zero is the journal package's default (64 MiB).
	MaxRunBytes uint64
}

type fileJournal struct {
	Fsync       bool `toml:"fsync"`
	MaxRunBytes Size `toml:"max_run_bytes"`
}

func (f fileJournal) journal() (Journal, error) {
	if uint64(f.MaxRunBytes) > math.MaxInt64 {
		return Journal{}, fmt.Errorf("journal.max_run_bytes: %d is too large", uint64(f.MaxRunBytes))
	}
	return Journal{Fsync: f.Fsync, MaxRunBytes: uint64(f.MaxRunBytes)}, nil
}
