package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content/oci"

	"github.com/aiosys/aios/packager/bundle"
)

// maxIndexBytes bounds the cache's index.json.
const maxIndexBytes = 16 << 20

// Cache is a local OCI image layout directory of pulled bundles, keyed by full reference
// ("host/repository:tag"). Blobs are written through oras's OCI store, which lands each one
// under its digest only after it is complete and verified; the index is replaced atomically.
// An interrupted pull therefore leaves no partial file behind.
//
// A Cache is safe for concurrent use in one process. Two processes sharing a directory never
// corrupt it, but one may lose the other's index entry, which costs only a pull.
type Cache struct {
	dir string
	mu  sync.Mutex // serializes index.json updates
}

// OpenCache opens (creating if needed) the cache directory dir.
func OpenCache(dir string) (*Cache, error) {
	if err := os.MkdirAll(filepath.Join(dir, ocispec.ImageBlobsDir), 0o755); err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	layout := filepath.Join(dir, ocispec.ImageLayoutFile)
	if _, err := os.Stat(layout); errors.Is(err, os.ErrNotExist) {
		data, _ := json.Marshal(ocispec.ImageLayout{Version: ocispec.ImageLayoutVersion})
		if err := writeAtomic(layout, data); err != nil {
			return nil, fmt.Errorf("open cache: %w", err)
		}
	}
	c := &Cache{dir: dir}
	if _, err := os.Stat(c.indexPath()); errors.Is(err, os.ErrNotExist) {
		if err := c.writeIndex(emptyIndex()); err != nil {
			return nil, fmt.Errorf("open cache: %w", err)
		}
	}
	return c, nil
}

// Dir is the cache's directory.
func (c *Cache) Dir() string { return c.dir }

func (c *Cache) indexPath() string { return filepath.Join(c.dir, ocispec.ImageIndexFile) }

// blobPath is where a blob lives in the layout.
func (c *Cache) blobPath(desc ocispec.Descriptor) string {
	return filepath.Join(c.dir, ocispec.ImageBlobsDir, desc.Digest.Algorithm().String(), desc.Digest.Encoded())
}

// store opens oras's OCI store over the directory. Its own index saving is off: the store
// writes index.json in place, which a crash could leave half written, so Cache writes it.
func (c *Cache) store(ctx context.Context) (*oci.Store, error) {
	s, err := oci.NewWithContext(ctx, c.dir)
	if err != nil {
		return nil, fmt.Errorf("cache %s: %w", c.dir, err)
	}
	s.AutoSaveIndex = false
	return s, nil
}

func emptyIndex() ocispec.Index {
	return ocispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageIndex,
		Manifests: []ocispec.Descriptor{},
	}
}

func (c *Cache) readIndex() (ocispec.Index, error) {
	f, err := os.Open(c.indexPath())
	if err != nil {
		return ocispec.Index{}, fmt.Errorf("cache index: %w", err)
	}
	defer f.Close()
	var idx ocispec.Index
	if err := json.NewDecoder(io.LimitReader(f, maxIndexBytes)).Decode(&idx); err != nil {
		return ocispec.Index{}, fmt.Errorf("cache index %s: %w", c.indexPath(), err)
	}
	return idx, nil
}

func (c *Cache) writeIndex(idx ocispec.Index) error {
	data, err := json.Marshal(idx)
	if err != nil {
		return fmt.Errorf("encode cache index: %w", err)
	}
	return writeAtomic(c.indexPath(), data)
}

// record points ref at the manifest desc in the index, replacing what ref pointed at before.
func (c *Cache) record(desc ocispec.Descriptor, ref string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	idx, err := c.readIndex()
	if err != nil {
		return err
	}
	entry := ocispec.Descriptor{
		MediaType:    desc.MediaType,
		ArtifactType: desc.ArtifactType,
		Digest:       desc.Digest,
		Size:         desc.Size,
		Annotations:  map[string]string{ocispec.AnnotationRefName: ref},
	}
	kept := idx.Manifests[:0]
	for _, d := range idx.Manifests {
		if d.Annotations[ocispec.AnnotationRefName] != ref {
			kept = append(kept, d)
		}
	}
	idx.Manifests = append(kept, entry)
	return c.writeIndex(idx)
}

// lookup finds the manifest a reference (full tag reference, or one pinned by digest) names.
func (c *Cache) lookup(ref string, pinned string) (ocispec.Descriptor, bool, error) {
	c.mu.Lock()
	idx, err := c.readIndex()
	c.mu.Unlock()
	if err != nil {
		return ocispec.Descriptor{}, false, err
	}
	for _, d := range idx.Manifests {
		if d.Annotations[ocispec.AnnotationRefName] == ref || (pinned != "" && d.Digest.String() == pinned) {
			return d, true, nil
		}
	}
	return ocispec.Descriptor{}, false, nil
}

// writeAtomic replaces path with data through a synced temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readBundle reads and opens a cached bundle blob, checking it still hashes to its digest.
func (c *Cache) readBundle(layer ocispec.Descriptor) (*bundle.Bundle, string, error) {
	path := c.blobPath(layer)
	b, err := bundle.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrNotBundle, err)
	}
	if b.Digest() != layer.Digest.String() {
		return nil, "", fmt.Errorf("%w: cached %s hashes to %s", ErrDigestMismatch, layer.Digest, b.Digest())
	}
	return b, path, nil
}
