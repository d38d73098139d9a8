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

// newMemoryLimit returns the allocator of one wazero instance under a limit of max bytes, whose
// memory starts as image (nil for zero memory; see memoryImage).
func newMemoryLimit(max uint64, image *memoryImage) *memoryLimit {
	return &memoryLimit{max: min(max, wazeroMaxMemory), image: image}
}

// memoryLimit is a wazero memory allocator for one instance that refuses to grow its memory past
// max bytes. A refused grow fails in the guest (memory.grow gives -1), which goes on, and sets
// refused.
//
// The allocator travels in the run's context, so wazero also asks it for the memory of any
// module instantiated under that context by a system call (an Extism tool plugin): the image
// is the agent's alone, and goes only to the first memory allocated, the agent's own, made
// while its module is instantiated, before any of its code runs.
type memoryLimit struct {
	max        uint64
	image      *memoryImage
	imageTaken atomic.Bool
	refused    atomic.Bool
}

// Allocate implements experimental.MemoryAllocator.
func (a *memoryLimit) Allocate(capacity, _ uint64) experimental.LinearMemory {
	m := &limitedMemory{limit: a, capacity: min(capacity, a.max)}
	if a.image != nil && a.imageTaken.CompareAndSwap(false, true) {
		m.image = a.image
	}
	return m
}

// limitedMemory is one linear memory under a memoryLimit. Wasm memory never shrinks, so bytes
// past len within the backing array are still zero from their allocation.
//
// Its first allocation holds its image, if it has one: in Go memory, copied, or, when the image has a
// memory file, in a mapping of the whole limit outside the Go heap, which then never moves.
type limitedMemory struct {
	limit    *memoryLimit
	image    *memoryImage // nil: starts zeroed (a memory other than the agent's; see memoryLimit)
	capacity uint64
	buf      []byte
	mapped   *mapping
}

// Reallocate implements experimental.LinearMemory.
func (m *limitedMemory) Reallocate(size uint64) []byte {
	if size > m.limit.max {
		m.limit.refused.Store(true)
		return nil
	}
	if m.mapped != nil {
		m.buf = m.mapped.bytes(uintptr(size))
		return m.buf
	}
	if m.buf == nil && m.image != nil {
		return m.first(size)
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

// first makes the first allocation, of size bytes, holding the image (which fits: see
// splitDataSegments).
func (m *limitedMemory) first(size uint64) []byte {
	img := m.image
	if img.file != nil {
		// The limit, in whole wasm pages (a multiple of every OS page size).
		reserve := m.limit.max / PageSize * PageSize
		if reserve >= size && reserve >= uint64(img.file.size) {
			if mp, err := img.file.mapImage(uintptr(reserve)); err == nil {
				m.mapped = mp
				m.buf = mp.bytes(uintptr(size))
				return m.buf
			}
		}
	}
	if size == img.initial {
		if b, ok := img.spare.Get().(*[]byte); ok {
			m.buf = *b
			copy(m.buf, img.data)
			return m.buf
		}
	}
	m.buf = make([]byte, size, max(size, m.capacity))
	copy(m.buf, img.data)
	return m.buf
}

// Free implements experimental.LinearMemory. wazero calls it once the instance can no longer
// run. A small memory that never grew is zeroed and kept for the next instance of its module.
func (m *limitedMemory) Free() {
	if img := m.image; img != nil && m.mapped == nil && img.initial > 0 && img.initial <= spareMax &&
		uint64(len(m.buf)) == img.initial && cap(m.buf) == len(m.buf) {
		clear(m.buf)
		b := m.buf
		img.spare.Put(&b)
	}
	m.buf = nil
	if m.mapped != nil {
		m.mapped.unmap()
		m.mapped = nil
	}
}
