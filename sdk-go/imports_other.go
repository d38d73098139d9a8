//go:build !wasip1

package aios

// platform reports that there is no aios host: outside GOOS=wasip1 nothing can be imported, so
// every call of this package returns ErrNotInAIOS. The package still compiles, so agents can be
// vetted and their pure parts tested on the host.
func platform() syscalls { return nil }
