package telemetry

import "github.com/aiosys/aios/hostcalls"

// errnoOf is the ABI error number the agent sees for err, by name ("OK", "EPERM", ...).
func errnoOf(err error) string { return hostcalls.ErrnoOf(err).String() }
