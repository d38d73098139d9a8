// Package hostcalls is the AIOS ABI (docs/ABI.md): one table of system calls that every engine
// binds, bounds-checked access to guest memory, request and response encoding, and the virtual
// WASI subset. It turns a guest's call into a kernel call and is the only bridge between
// WebAssembly and the kernel.
package hostcalls

import "context"

// ValueType is a WebAssembly value type of a system call's parameter or result.
type ValueType byte

const (
	I32 ValueType = iota
	I64
)

// Memory is a guest's linear memory as an engine exposes it to a system call. Implementations
// check bounds; hostcalls checks them again with 64-bit arithmetic before asking.
type Memory interface {
	// Read returns a view of n bytes at off, or false if the range is outside the memory.
	// The view is valid only until the guest runs again.
	Read(off, n uint32) ([]byte, bool)
	// Write copies b to off, or returns false if the range is outside the memory.
	Write(off uint32, b []byte) bool
	// Size returns the memory's current size in bytes.
	Size() uint32
}

// Handler runs a system call. stack holds the parameters on entry (i32 zero-extended to uint64)
// and receives the results, as in wazero's api.GoModuleFunc. A returned error ends the guest: it
// is a trap, an *ExitError from proc_exit, or a *limits.ExceededError.
type Handler func(ctx context.Context, g *Guest, mem Memory, stack []uint64) error

// Func is one entry of the system-call table.
type Func struct {
	Module  string // "aios" or "wasi_snapshot_preview1"
	Name    string
	Params  []ValueType
	Results []ValueType
	Handler Handler
}

// ExitError ends a guest that called proc_exit.
type ExitError struct{ Code uint32 }

func (e *ExitError) Error() string { return "exit status " + itoa(int(e.Code)) }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
