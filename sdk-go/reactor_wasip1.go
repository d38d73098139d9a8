//go:build wasip1

package aios

import (
	"os"
	"slices"
	"strings"
	"unsafe"
)

// The Go runtime reads the arguments and the environment in _initialize. A pre-initialised
// reactor's _initialize ran ahead of time, with none, so Main reads this run's again.

//go:wasmimport wasi_snapshot_preview1 args_sizes_get
func rawArgsSizesGet(count, size unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 args_get
func rawArgsGet(ptrs, buf unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 environ_sizes_get
func rawEnvironSizesGet(count, size unsafe.Pointer) uint32

//go:wasmimport wasi_snapshot_preview1 environ_get
func rawEnvironGet(ptrs, buf unsafe.Pointer) uint32

// refreshProcess sets os.Args and the environment to the run's, as the host reports them.
func refreshProcess() {
	if args, ok := wasiStrings(rawArgsSizesGet, rawArgsGet); ok {
		os.Args = args
	}
	env, ok := wasiStrings(rawEnvironSizesGet, rawEnvironGet)
	if !ok || slices.Equal(env, os.Environ()) {
		return
	}
	os.Clearenv()
	for _, kv := range env {
		if k, v, found := strings.Cut(kv, "="); found {
			// The host gives names without "=" or NUL, which Setenv always accepts.
			_ = os.Setenv(k, v)
		}
	}
}

// wasiStrings reads a WASI string list (arguments or environment) with its sizes and get calls.
func wasiStrings(sizes, get func(a, b unsafe.Pointer) uint32) ([]string, bool) {
	var count, size uint32
	if sizes(unsafe.Pointer(&count), unsafe.Pointer(&size)) != 0 {
		return nil, false
	}
	if count == 0 {
		return []string{}, true
	}
	ptrs := make([]uint32, count)
	buf := make([]byte, size)
	if get(unsafe.Pointer(&ptrs[0]), unsafe.Pointer(&buf[0])) != 0 {
		return nil, false
	}
	base := uint32(uintptr(unsafe.Pointer(&buf[0])))
	list := make([]string, count)
	for i, p := range ptrs {
		if p < base || p-base >= size {
			return nil, false
		}
		s := buf[p-base:]
		if end := slices.Index(s, 0); end >= 0 {
			s = s[:end]
		}
		list[i] = string(s)
	}
	return list, true
}
