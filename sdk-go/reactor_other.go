//go:build !wasip1

package aios

// refreshProcess has nothing to refresh outside WebAssembly: the process's arguments and
// environment are already this run's.
func refreshProcess() {}
