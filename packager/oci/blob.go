package oci

import (
	"fmt"
	"io"
	"os"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
)

// readBlob reads a cached blob, checking its size and digest against desc.
func readBlob(path string, desc ocispec.Descriptor) ([]byte, error) {
	if desc.Size > maxManifestBytes {
		return nil, fmt.Errorf("%w: blob %s of %d bytes", ErrNotBundle, desc.Digest, desc.Size)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read blob: %w", err)
	}
	defer f.Close()
	data, err := content.ReadAll(io.Reader(f), desc)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", desc.Digest, classify(err))
	}
	return data, nil
}
