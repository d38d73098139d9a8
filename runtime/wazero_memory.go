package runtime

import (
	"sync/atomic"

	"github.com/tetratelabs/wazero/experimental"
)

// wazeroMaxMemory is the most linear memory an agent gets on wazero: one page short of the 4 GiB
// that wasm32 allows, because wazero cannot address a memory of exactly 65536 pages (its size
// overflows a uint32, and every access then traps as out of bounds; wazero issues #1852, #2505).
// A higher limit is lowered to it, so a guest growing towards 4 GiB sees memory.grow give -1
// instead of trapping.
const wazeroMaxMemory = (1<<16 - 1) * PageSize

// newMemoryLimit returns the allocator of one wazero instance under a limit of max bytes.
func newMemoryLimit(max uint64) *memoryLimit {
	return &memoryLimit{max: min(max, wazeroMaxMemory)}
}

// memoryLimit is a wazero memory allocator for one instance that refuses to grow its memory past
// max bytes. A refused grow fails in the guest (memory.grow gives -1), which goes on, and sets
// refused.
type memoryLimit struct {
	max     uint64
	refused atomic.Bool
}

// Allocate implements experimental.MemoryAllocator.
func (a *memoryLimit) Allocate(capacity, _ uint64) experimental.LinearMemory {
	return &limitedMemory{limit: a, capacity: min(capacity, a.max)}
}

// limitedMemory is one linear memory under a memoryLimit. Wasm memory never shrinks, so bytes
// past len within the backing array are still zero from their allocation.
type limitedMemory struct {
	limit    *memoryLimit
	capacity uint64
	buf      []byte
}

// Reallocate implements experimental.LinearMemory.
func (m *limitedMemory) Reallocate(size uint64) []byte {
	if size > m.limit.max {
		m.limit.refused.Store(true)
		return nil
	}
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
		return m.buf
	}
	// Grow geometrically to keep repeated small grows linear in total copying, but never
	// reserve past the limit.
	newCap := max(size, m.capacity, min(2*uint64(cap(m.buf)), m.limit.max))
	buf := make([]byte, size, newCap)
	copy(buf, m.buf)
	m.buf = buf
	return buf
}

// Free implements experimental.LinearMemory.
func (m *limitedMemory) Free() { m.buf = nil }
