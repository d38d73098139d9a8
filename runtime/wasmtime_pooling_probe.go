//go:build wasmtime && (linux || darwin)

package runtime

import "syscall"

// probeAddressSpace reserves n bytes of address space, inaccessible and backed by nothing, and
// gives them back: it fails if a pool of that size could not be reserved now.
func probeAddressSpace(n uint64) error {
	b, err := syscall.Mmap(-1, 0, int(n), syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return err
	}
	return syscall.Munmap(b)
}
