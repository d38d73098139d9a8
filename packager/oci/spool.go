package oci

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/oci"
)

// spoolingStore is the copy destination of a pull. It receives each blob into a temporary
// file of its own, verifies it against its descriptor, and only then hands the complete file
// to oras's OCI store.
//
// # Notes
//
// oras-go v2.6.4's OCI storage leaves its temporary ingest file behind when the source fails
// mid-blob (its cleanup removes a path its error return has already cleared). Spooling first
// means the store only ever reads from a complete local file.
type spoolingStore struct {
	*oci.Store
	dir string
}

// Push implements content.Pusher.
func (s spoolingStore) Push(ctx context.Context, desc ocispec.Descriptor, r io.Reader) error {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, "aios-spool-*")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	vr := content.NewVerifyReader(r, desc)
	if _, err := io.Copy(tmp, vr); err != nil {
		return fmt.Errorf("spool %s: %w", desc.Digest, err)
	}
	if err := vr.Verify(); err != nil {
		return fmt.Errorf("spool %s: %w", desc.Digest, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool %s: %w", desc.Digest, err)
	}
	return s.Store.Push(ctx, desc, tmp)
}

// spoolDir is where a cache spools blobs in transit.
func (c *Cache) spoolDir() string { return filepath.Join(c.dir, "ingest") }
