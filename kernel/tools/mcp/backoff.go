package mcp

import "time"

// Restarts of a failed server wait firstBackoff, doubling up to maxBackoff; a session that
// stayed up for healthyAfter resets the wait.
const (
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = 30 * time.Second
	healthyAfter = time.Minute
)

// backoff is the wait before a restart after failures failures in a row (at least one).
func backoff(failures int) time.Duration {
	d := firstBackoff
	for i := 1; i < failures && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}
