package runtime

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// imageFile holds a memory image in an anonymous memory file (memfd_create), which instances
// map privately: copy-on-write, so an instance copies a page of the image only when it first
// writes to it, and pages no instance writes stay shared by all of them in the page cache.
type imageFile struct {
	f    *os.File
	size uintptr // the image rounded up to whole OS pages
}

// newImageFile returns the image in a memory file, or nil when it is too small to be worth
// mapping or the system refuses a memory file (then instances copy the image).
func newImageFile(data []byte) *imageFile {
	if len(data) < mappedImageMin {
		return nil
	}
	fd, err := unix.MemfdCreate("aios-memory-image", unix.MFD_CLOEXEC)
	if err != nil {
		return nil
	}
	f := os.NewFile(uintptr(fd), "aios-memory-image")
	pageSize := uintptr(os.Getpagesize())
	size := (uintptr(len(data)) + pageSize - 1) &^ (pageSize - 1)
	if err := f.Truncate(int64(size)); err != nil {
		_ = f.Close()
		return nil
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		_ = f.Close()
		return nil
	}
	return &imageFile{f: f, size: size}
}

// Close releases the file; instances that mapped it keep their mappings.
func (i *imageFile) Close() error { return i.f.Close() }

// mapping is one instance's linear memory outside the Go heap: a reservation of reserve bytes
// of anonymous memory (zero pages on first touch, no swap reserved) whose first pages map the
// image copy-on-write.
type mapping struct {
	base    unsafe.Pointer
	reserve uintptr
}

// mapImage reserves reserve bytes (a multiple of the OS page size, at least the image's size)
// and maps the image at their start. It fails when the system refuses a mapping, for example
// past vm.max_map_count; the caller then copies the image into Go memory.
func (i *imageFile) mapImage(reserve uintptr) (*mapping, error) {
	base, err := unix.MmapPtr(-1, 0, nil, reserve, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("reserve %d bytes of linear memory: %w", reserve, err)
	}
	if _, err := unix.MmapPtr(int(i.f.Fd()), 0, base, i.size, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_FIXED); err != nil {
		_ = unix.MunmapPtr(base, reserve)
		return nil, fmt.Errorf("map memory image: %w", err)
	}
	return &mapping{base: base, reserve: reserve}, nil
}

// bytes returns the mapping's first n bytes (n ≤ reserve).
func (m *mapping) bytes(n uintptr) []byte {
	return unsafe.Slice((*byte)(m.base), m.reserve)[:n:n]
}

// unmap releases the mapping. Nothing may use its bytes afterwards.
func (m *mapping) unmap() { _ = unix.MunmapPtr(m.base, m.reserve) }
