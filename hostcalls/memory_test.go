package hostcalls

import (
	"bytes"
	"math"
	"testing"
)

func TestViewAndWrite(t *testing.T) {
	mem := newMemory(16)
	if err := write(mem, 12, []byte{1, 2, 3, 4}); err != nil {
		t.Fatalf("write at the last word: %v", err)
	}
	b, err := view(mem, 12, 4)
	if err != nil || !bytes.Equal(b, []byte{1, 2, 3, 4}) {
		t.Fatalf("view = %v, %v", b, err)
	}
	if _, err := view(mem, 16, 0); err != nil {
		t.Fatalf("an empty range at the end is inside: %v", err)
	}
	for _, r := range [][2]uint64{{13, 4}, {17, 0}, {math.MaxUint32, 2}, {1, math.MaxUint32}, {1 << 32, 0}, {0, 1 << 32}} {
		if _, err := view(mem, r[0], r[1]); ErrnoOf(err) != EFAULT {
			t.Errorf("view(%d, %d) = %v, want EFAULT", r[0], r[1], err)
		}
	}
	if _, err := viewRequest(mem, math.MaxUint32, math.MaxUint32, 1024); ErrnoOf(err) != E2BIG {
		t.Errorf("an oversized request = %v, want E2BIG before any range check", err)
	}
	if mem.outOfBox {
		t.Fatal("the engine was asked for memory outside the guest")
	}
}

// shrinkingMemory says it is larger than it is, like an engine whose memory changed under
// the call; hostcalls must still report EFAULT rather than panic.
type shrinkingMemory struct{ sliceMemory }

func (m *shrinkingMemory) Size() uint32 { return uint32(len(m.b)) * 2 }

func TestEngineRefusalIsEFAULT(t *testing.T) {
	mem := &shrinkingMemory{sliceMemory{b: make([]byte, 8)}}
	if _, err := view(mem, 4, 8); ErrnoOf(err) != EFAULT {
		t.Fatalf("view refused by the engine = %v, want EFAULT", err)
	}
	if err := write(mem, 4, make([]byte, 8)); ErrnoOf(err) != EFAULT {
		t.Fatalf("write refused by the engine = %v, want EFAULT", err)
	}
}

// FuzzMemoryRange checks that guest memory access with any pointer and length never panics,
// never asks the engine for bytes outside the memory, and succeeds exactly when the range is
// inside it.
func FuzzMemoryRange(f *testing.F) {
	f.Add(uint64(0), uint64(0), uint32(0))
	f.Add(uint64(0), uint64(65536), uint32(65536))
	f.Add(uint64(65535), uint64(2), uint32(65536))
	f.Add(uint64(0xFFFF_FFF0), uint64(0x20), uint32(65536))
	f.Add(uint64(0xFFFF_FFFF), uint64(0xFFFF_FFFF), uint32(4096))
	f.Add(uint64(1<<32), uint64(1), uint32(4096))
	f.Add(uint64(100), uint64(1<<40), uint32(4096))
	f.Fuzz(func(t *testing.T, ptr, n uint64, size uint32) {
		size %= 1 << 20
		mem := newMemory(int(size))
		inside := ptr <= math.MaxUint32 && n <= math.MaxUint32 && ptr+n <= uint64(size)
		b, err := view(mem, ptr, n)
		if inside != (err == nil) {
			t.Fatalf("view(%d, %d) in %d bytes: err %v, inside %v", ptr, n, size, err, inside)
		}
		if err == nil && uint64(len(b)) != n {
			t.Fatalf("view returned %d bytes, want %d", len(b), n)
		}
		if err != nil && ErrnoOf(err) != EFAULT {
			t.Fatalf("view error %v is not EFAULT", err)
		}
		if inside && n <= 1<<16 {
			if err := write(mem, ptr, make([]byte, n)); err != nil {
				t.Fatalf("write inside failed: %v", err)
			}
		}
		const limit = 1 << 16
		if _, err := viewRequest(mem, ptr, n, limit); n > limit && ErrnoOf(err) != E2BIG {
			t.Fatalf("viewRequest of %d bytes = %v, want E2BIG", n, err)
		}
		if err := writeU32(mem, ptr, 7); (err == nil) != (ptr <= math.MaxUint32 && ptr+4 <= uint64(size)) {
			t.Fatalf("writeU32(%d) in %d bytes: %v", ptr, size, err)
		}
		if mem.outOfBox {
			t.Fatalf("ptr %d len %d: the engine was asked for memory outside %d bytes", ptr, n, size)
		}

		e := newEnv(t, func(c *envConfig) { c.spec.Input = []byte("in"); c.spec.Seed = 1 })
		e.aios("output", ptr, n)
		e.aios("input", ptr)
		e.aios("result_read", 1, ptr, n)
		e.wasi("random_get", ptr, n)
		e.wasi("fd_write", 1, ptr, n&0xFFFF, ptr)
	})
}
