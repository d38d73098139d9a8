package config

import (
	"fmt"
	"math"
	"time"

	"github.com/aiosys/aios/policy/audit"
)

// Audit is the [audit] table: how much of the audit log (audit.db in the data directory) to
// keep. docs/CONFIG.md describes it.
type Audit struct {
	// MaxSize bounds the database file; the oldest decisions are deleted to stay under it.
	// 0 means no bound.
	MaxSize Size
	// MaxAge is how long decisions are kept; 0 means for ever.
	MaxAge time.Duration
}

// Defaults of the [audit] table.
const (
	DefaultAuditMaxSize = 64 << 20
	DefaultAuditMaxAge  = 30 * 24 * time.Hour
)

// DefaultAudit returns the retention used when the file leaves [audit] keys out.
func DefaultAudit() Audit {
	return Audit{MaxSize: DefaultAuditMaxSize, MaxAge: DefaultAuditMaxAge}
}

// Retention is a as the audit log takes it.
func (a Audit) Retention() audit.Retention {
	return audit.Retention{MaxSize: int64(min(uint64(a.MaxSize), math.MaxInt64)), MaxAge: a.MaxAge}
}

type fileAudit struct {
	MaxSize *Size     `toml:"max_size"`
	MaxAge  *Duration `toml:"max_age"`
}

// audit converts the table; keys it leaves out keep DefaultAudit's values.
func (f fileAudit) audit() (Audit, error) {
	a := DefaultAudit()
	if f.MaxSize != nil {
		a.MaxSize = *f.MaxSize
	}
	if f.MaxAge != nil {
		a.MaxAge = time.Duration(*f.MaxAge)
	}
	if a.MaxSize != 0 && a.MaxSize < audit.MinMaxSize {
		return Audit{}, fmt.Errorf("audit.max_size %v is under the smallest bound, 1MiB (0 means no bound)", a.MaxSize)
	}
	return a, nil
}
