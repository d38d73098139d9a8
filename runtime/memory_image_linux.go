package runtime

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// imageFile holds a memory image in an anonymous memory file (memfd_create), which instances
// map privately: copy-on-write, so an instance copies a page of the image only when it first
// writes to it, and pages no instance writes stay shared by all of them in the page cache.
type imageFile struct {
	size uintptr // the image rounded up to whole OS pages

	// mu keeps Close from closing fd under a mapImage, whose fd number could otherwise be
	// reused by another file before the mapping is made.
	mu     sync.RWMutex
	fd     int
	closed bool
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
	pageSize := uintptr(os.Getpagesize())
	size := (uintptr(len(data)) + pageSize - 1) &^ (pageSize - 1)
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		_ = unix.Close(fd)
		return nil
	}
	for off := 0; off < len(data); {
		n, err := unix.Pwrite(fd, data[off:], int64(off))
		if err != nil || n <= 0 {
			_ = unix.Close(fd)
			return nil
		}
		off += n
	}
	return &imageFile{fd: fd, size: size}
}

// Close releases the file; instances that mapped it keep their mappings, and later mapImage
// calls fail (their instances copy the image).
func (i *imageFile) Close() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed {
		return nil
	}
	i.closed = true
	return unix.Close(i.fd)
}

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
	i.mu.RLock()
	defer i.mu.RUnlock()
	if i.closed {
		return nil, errors.New("memory image closed")
	}
	base, err := unix.MmapPtr(-1, 0, nil, reserve, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("reserve %d bytes of linear memory: %w", reserve, err)
	}
	if _, err := unix.MmapPtr(i.fd, 0, base, i.size, unix.PROT_READ|unix.PROT_WRITE,
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
