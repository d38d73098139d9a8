package config

import (
	"fmt"
	"math"
	"time"
)

// Journal configures the journals of durable runs (docs/DURABLE.md).
type Journal struct {
	// Fsync syncs each group commit of the journals to the disk, so that a journaled call
	// survives a power loss and not only a crash of the process. Off by default.
	Fsync bool
	// MaxRunBytes bounds one run's journal; zero is the journal package's default (64 MiB).
	MaxRunBytes uint64
	// MaxAge is how long an ended run's record and journal are kept; 0 keeps them until
	// `aios journal rm`. Default DefaultJournalMaxAge.
	MaxAge time.Duration
}

// DefaultJournalMaxAge is how long ended runs' journals are kept unless [journal] max_age says
// otherwise: as long as audit decisions (DefaultAuditMaxAge).
const DefaultJournalMaxAge = DefaultAuditMaxAge

type fileJournal struct {
	Fsync       bool      `toml:"fsync"`
	MaxRunBytes Size      `toml:"max_run_bytes"`
	MaxAge      *Duration `toml:"max_age"`
}

func (f fileJournal) journal() (Journal, error) {
	if uint64(f.MaxRunBytes) > math.MaxInt64 {
		return Journal{}, fmt.Errorf("journal.max_run_bytes: %d is too large", uint64(f.MaxRunBytes))
	}
	j := Journal{Fsync: f.Fsync, MaxRunBytes: uint64(f.MaxRunBytes), MaxAge: DefaultJournalMaxAge}
	if f.MaxAge != nil {
		j.MaxAge = time.Duration(*f.MaxAge)
	}
	return j, nil
}
