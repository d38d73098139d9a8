package runtime

import (
	"fmt"
	"time"

	"github.com/aiosys/aios/limits"
)

func memoryExceeded(max uint64) *limits.ExceededError {
	return &limits.ExceededError{Limit: "memory", Value: formatBytes(max)}
}

func durationExceeded(limit string, d time.Duration) *limits.ExceededError {
	return &limits.ExceededError{Limit: limit, Value: d.String()}
}

// formatBytes renders n as "256 MiB", "64 KiB" or "100 B", exact when a unit divides it.
func formatBytes(n uint64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d B", n)
}
