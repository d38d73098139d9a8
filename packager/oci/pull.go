package oci

import (
	"context"
	"encoding/json"
	"fmt"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry"

	"github.com/aiosys/aios/packager/bundle"
)

// maxManifestBytes bounds an artifact manifest.
const maxManifestBytes = 4 << 20

// legacyConfigMediaType is the config type older wasm tooling paired with the legacy layer.
const legacyConfigMediaType = "application/vnd.wasm.config.v1+json"

// Pulled is a bundle in the cache.
type Pulled struct {
	// Ref is the full reference it was pulled as, with the tag resolved.
	Ref string
	// Digest is the manifest digest.
	Digest string
	// Annotations are the manifest's annotations.
	Annotations map[string]string
	// Path is the cached bundle file (read-only; it is a content-addressed blob).
	Path   string
	Bundle *bundle.Bundle
}

// PullOptions tunes Pull.
type PullOptions struct {
	Progress Progress
}

// Pull fetches the bundle ref names into the cache and opens it. Every blob is checked against
// its digest before it lands in the cache. A ref without a tag or digest means its highest
// semantic version. Pull does not check the bundle's signature: call Bundle.Verify.
func (c *Cache) Pull(ctx context.Context, r Remote, ref string, opts PullOptions) (*Pulled, error) {
	parsed, err := parseRef(ref)
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}
	repo, err := r.repository(parsed)
	if err != nil {
		return nil, fmt.Errorf("pull: %w", err)
	}
	if parsed.Reference == "" {
		if parsed.Reference, err = latestVersion(ctx, repo); err != nil {
			return nil, fmt.Errorf("pull %s: %w", ref, err)
		}
	}
	desc, err := repo.Resolve(ctx, parsed.Reference)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", parsed, onHub(classify(err)))
	}
	if desc.Size > maxManifestBytes {
		return nil, fmt.Errorf("pull %s: %w: manifest of %d bytes", parsed, ErrNotBundle, desc.Size)
	}
	raw, err := content.FetchAll(ctx, repo, desc)
	if err != nil {
		return nil, fmt.Errorf("pull %s: manifest: %w", parsed, classify(err))
	}
	if _, err := checkManifest(raw); err != nil {
		return nil, fmt.Errorf("pull %s: %w", parsed, err)
	}
	store, err := c.store(ctx)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", parsed, err)
	}
	copyOpts := oras.CopyGraphOptions{
		OnCopySkipped: func(_ context.Context, d ocispec.Descriptor) error {
			opts.Progress.skipped(d)
			return nil
		},
	}
	if err := oras.CopyGraph(ctx, progressStorage{repo, opts.Progress}, spoolingStore{store, c.spoolDir()}, desc, copyOpts); err != nil {
		return nil, fmt.Errorf("pull %s: %w", parsed, classify(err))
	}
	name := tagRef(parsed)
	if err := c.record(desc, name); err != nil {
		return nil, fmt.Errorf("pull %s: %w", parsed, err)
	}
	return c.open(desc, raw, name)
}

// Load opens a bundle already in the cache, without touching the network. ref must name a
// tag or digest.
func (c *Cache) Load(ref string) (*Pulled, error) {
	parsed, err := parseRef(ref)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	pinned := ""
	if d, err := parsed.Digest(); err == nil {
		pinned = d.String()
	}
	desc, ok, err := c.lookup(tagRef(parsed), pinned)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", ref, err)
	}
	if !ok {
		return nil, fmt.Errorf("load %s: %w in the cache (pull it first)", ref, ErrNotFound)
	}
	raw, err := readBlob(c.blobPath(desc), desc)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", ref, err)
	}
	return c.open(desc, raw, desc.Annotations[ocispec.AnnotationRefName])
}

// open reads the bundle a cached manifest points at.
func (c *Cache) open(desc ocispec.Descriptor, raw []byte, name string) (*Pulled, error) {
	man, err := checkManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	b, path, err := c.readBundle(man.Layers[0])
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return &Pulled{Ref: name, Digest: desc.Digest.String(), Annotations: man.Annotations, Path: path, Bundle: b}, nil
}

// tagRef is the reference a pull is recorded under: "host/repository:tag", or with "@digest"
// when pinned by digest.
func tagRef(r registry.Reference) string { return r.String() }

// checkManifest decodes an artifact manifest and checks it has the wasm artifact's shape.
func checkManifest(raw []byte) (ocispec.Manifest, error) {
	var man ocispec.Manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		return ocispec.Manifest{}, fmt.Errorf("%w: manifest: %v", ErrNotBundle, err)
	}
	if man.MediaType != "" && man.MediaType != ocispec.MediaTypeImageManifest {
		return ocispec.Manifest{}, fmt.Errorf("%w: manifest media type %q", ErrNotBundle, man.MediaType)
	}
	if man.Config.MediaType != ConfigMediaType && man.Config.MediaType != legacyConfigMediaType {
		return ocispec.Manifest{}, fmt.Errorf("%w: config media type %q, want %q", ErrNotBundle, man.Config.MediaType, ConfigMediaType)
	}
	if len(man.Layers) != 1 || !isLayerMediaType(man.Layers[0].MediaType) {
		return ocispec.Manifest{}, fmt.Errorf("%w: want exactly one %s layer", ErrNotBundle, LayerMediaType)
	}
	if man.Layers[0].Size > bundle.MaxBundleSize {
		return ocispec.Manifest{}, fmt.Errorf("%w: layer of %d bytes, more than %d", ErrNotBundle, man.Layers[0].Size, bundle.MaxBundleSize)
	}
	return man, nil
}
