//go:build wasmtime

package runtime

import (
	"math"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// wtMemory is the calling instance's exported "memory" as a hostcalls.Memory. It is bound to
// the Caller of one system call at a time; unbound, it is an empty memory (Wasmtime forbids
// using a Caller after its call returns).
type wtMemory struct {
	caller *wasmtime.Caller
	mem    *wasmtime.Memory // found on the first call, valid for the store's life
}

func (m *wtMemory) bind(c *wasmtime.Caller) {
	m.caller = c
	if m.mem == nil {
		if ex := c.GetExport("memory"); ex != nil {
			m.mem = ex.Memory()
		}
	}
}

func (m *wtMemory) unbind() { m.caller = nil }

// data returns the memory's bytes; Wasmtime may move them when the guest grows its memory,
// which cannot happen during a system call.
func (m *wtMemory) data() []byte {
	if m.caller == nil || m.mem == nil {
		return nil
	}
	return m.mem.UnsafeData(m.caller)
}

// Read implements hostcalls.Memory.
func (m *wtMemory) Read(off, n uint32) ([]byte, bool) {
	d := m.data()
	end := uint64(off) + uint64(n)
	if end > uint64(len(d)) {
		return nil, false
	}
	return d[off:end:end], true
}

// Write implements hostcalls.Memory.
func (m *wtMemory) Write(off uint32, b []byte) bool {
	d := m.data()
	end := uint64(off) + uint64(len(b))
	if end > uint64(len(d)) {
		return false
	}
	copy(d[off:end], b)
	return true
}

// Size implements hostcalls.Memory. A full 4 GiB memory reports one byte less, the most a
// uint32 holds.
func (m *wtMemory) Size() uint32 {
	return uint32(min(uint64(len(m.data())), math.MaxUint32))
}
