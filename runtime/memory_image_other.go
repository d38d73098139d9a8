//go:build !linux

package runtime

import "errors"

// imageFile is a memory image mapped copy-on-write into instances; only Linux has one here
// (memfd_create), so elsewhere instances copy the image.
type imageFile struct{ size uintptr }

// newImageFile returns nil: instances copy the image.
func newImageFile([]byte) *imageFile { return nil }

// Close implements io.Closer.
func (*imageFile) Close() error { return nil }

// mapping is never made outside Linux.
type mapping struct{}

func (*imageFile) mapImage(uintptr) (*mapping, error) {
	return nil, errors.New("memory images are mapped on Linux only")
}

func (*mapping) bytes(uintptr) []byte { return nil }

func (*mapping) unmap() {}
