package oci

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/memory"

	"github.com/aiosys/aios/packager/bundle"
)

// PublishOptions tunes Publish.
type PublishOptions struct {
	Progress Progress
	// Created is recorded in the manifest's created annotation; zero means now.
	Created time.Time
}

// Published describes a bundle now in a registry.
type Published struct {
	// Ref is the full reference, "host/repository:tag".
	Ref string
	// Digest is the manifest digest; "host/repository@Digest" names this exact upload.
	Digest string
	// LayerDigest is the bundle file's digest.
	LayerDigest string
	Size        int64
}

// Publish pushes b to the registry as a wasm artifact tagged as ref says. A ref without a tag
// is tagged with the manifest's version.
func (r Remote) Publish(ctx context.Context, b *bundle.Bundle, ref string, opts PublishOptions) (Published, error) {
	parsed, err := parseRef(ref)
	if err != nil {
		return Published{}, fmt.Errorf("publish: %w", err)
	}
	m := b.Manifest()
	if parsed.Reference == "" {
		parsed.Reference = m.Version
	}
	if _, err := parsed.Digest(); err == nil {
		return Published{}, fmt.Errorf("publish %s: a tag is needed, not a digest", ref)
	}
	repo, err := r.repository(parsed)
	if err != nil {
		return Published{}, fmt.Errorf("publish: %w", err)
	}
	store, root, err := stage(ctx, b, opts.Created)
	if err != nil {
		return Published{}, fmt.Errorf("publish: %w", err)
	}
	copyOpts := oras.CopyOptions{}
	copyOpts.OnCopySkipped = func(_ context.Context, desc ocispec.Descriptor) error {
		opts.Progress.skipped(desc)
		return nil
	}
	src := progressTarget{progressStorage{store, opts.Progress}, store}
	if _, err := oras.Copy(ctx, src, stagedTag, repo, parsed.Reference, copyOpts); err != nil {
		return Published{}, fmt.Errorf("publish %s: %w", parsed, classify(err))
	}
	return Published{
		Ref:         parsed.String(),
		Digest:      root.Digest.String(),
		LayerDigest: b.Digest(),
		Size:        int64(len(b.Bytes())),
	}, nil
}

// stagedTag names the staged artifact in its in-memory store.
const stagedTag = "staged"

// progressTarget is a copy source that reports fetch progress.
type progressTarget struct {
	progressStorage
	content.Resolver
}

// stage builds the artifact (layer, config, manifest) in memory and returns the store and
// the manifest's descriptor.
func stage(ctx context.Context, b *bundle.Bundle, created time.Time) (*memory.Store, ocispec.Descriptor, error) {
	m := b.Manifest()
	store := memory.New()
	layer := content.NewDescriptorFromBytes(LayerMediaType, b.Bytes())
	layer.Annotations = map[string]string{AnnotationTitle: m.Name + ".wasm"}
	if err := store.Push(ctx, layer, bytes.NewReader(b.Bytes())); err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("stage layer: %w", err)
	}
	cfgData, err := configBlob(strings.Join(m.Authors, ", "), layer.Digest.String())
	if err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	cfg := content.NewDescriptorFromBytes(ConfigMediaType, cfgData)
	if err := store.Push(ctx, cfg, bytes.NewReader(cfgData)); err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("stage config: %w", err)
	}
	if created.IsZero() {
		created = time.Now()
	}
	root, err := oras.PackManifest(ctx, store, oras.PackManifestVersion1_1, "", oras.PackManifestOptions{
		ConfigDescriptor:    &cfg,
		Layers:              []ocispec.Descriptor{layer},
		ManifestAnnotations: annotations(m, created),
	})
	if err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("stage manifest: %w", err)
	}
	if err := store.Tag(ctx, root, stagedTag); err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("stage manifest: %w", err)
	}
	return store, root, nil
}

// annotations are the manifest annotations a bundle is published with.
func annotations(m bundle.Manifest, created time.Time) map[string]string {
	a := map[string]string{
		AnnotationTitle:   m.Name,
		AnnotationVersion: m.Version,
		AnnotationCreated: created.UTC().Format(time.RFC3339),
	}
	set := func(k, v string) {
		if v != "" {
			a[k] = v
		}
	}
	set(AnnotationDescription, m.Description)
	set(AnnotationAuthors, strings.Join(m.Authors, ", "))
	set(AnnotationLicenses, m.License)
	return a
}
