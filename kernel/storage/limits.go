package storage

import (
	"fmt"
	"time"
)

// Defaults for a zero field of Limits.
const (
	DefaultMaxKeyBytes         = 1 << 10  // 1 KiB
	DefaultMaxValueBytes       = 1 << 20  // 1 MiB
	DefaultMaxBytesPerSpace    = 64 << 20 // 64 MiB
	DefaultMaxVersionsPerSpace = 100_000
)

// Hard caps on Limits, whatever the configuration says.
const (
	// MaxKeyBytesCap keeps keys short enough to index well.
	MaxKeyBytesCap = 64 << 10
	// MaxValueBytesCap keeps a value well below SQLite's own limit on a blob (1e9 bytes) and
	// bounds the memory one Get can take.
	MaxValueBytesCap = 256 << 20
)

// Page sizes of List and History.
const (
	DefaultPage = 100
	MaxPage     = 1000
)

// Limits bounds what a Store accepts. A zero field takes its default; a negative one, or a key
// or value cap beyond its hard cap, is refused by Open.
type Limits struct {
	MaxKeyBytes         int   // the longest key, in bytes
	MaxValueBytes       int   // the largest value, in bytes
	MaxBytesPerSpace    int64 // key plus value bytes of every version of a space
	MaxVersionsPerSpace int64 // versions (tombstones included) of every key of a space
	// Now stamps each version; time.Now when nil.
	Now func() time.Time
}

// withDefaults returns l with defaults for its zero fields, or an error wrapping ErrInvalid.
func (l Limits) withDefaults() (Limits, error) {
	if l.MaxKeyBytes < 0 || l.MaxValueBytes < 0 || l.MaxBytesPerSpace < 0 || l.MaxVersionsPerSpace < 0 {
		return l, fmt.Errorf("%w: storage limits may not be negative (keys %d, values %d, bytes per space %d, versions per space %d)",
			ErrInvalid, l.MaxKeyBytes, l.MaxValueBytes, l.MaxBytesPerSpace, l.MaxVersionsPerSpace)
	}
	if l.MaxKeyBytes == 0 {
		l.MaxKeyBytes = DefaultMaxKeyBytes
	}
	if l.MaxValueBytes == 0 {
		l.MaxValueBytes = DefaultMaxValueBytes
	}
	if l.MaxBytesPerSpace == 0 {
		l.MaxBytesPerSpace = DefaultMaxBytesPerSpace
	}
	if l.MaxVersionsPerSpace == 0 {
		l.MaxVersionsPerSpace = DefaultMaxVersionsPerSpace
	}
	if l.MaxKeyBytes > MaxKeyBytesCap {
		return l, fmt.Errorf("%w: storage key limit %d is above the cap of %d bytes", ErrInvalid, l.MaxKeyBytes, MaxKeyBytesCap)
	}
	if l.MaxValueBytes > MaxValueBytesCap {
		return l, fmt.Errorf("%w: storage value limit %d is above the cap of %d bytes", ErrInvalid, l.MaxValueBytes, MaxValueBytesCap)
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	return l, nil
}

// clampPage returns the page size to use for a requested limit: the default for zero or less,
// at most MaxPage.
func clampPage(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPage
	case limit > MaxPage:
		return MaxPage
	}
	return limit
}
