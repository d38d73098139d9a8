package oci

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/aiosys/aios/packager/hub/hubtest"
)

var ggcrAuth = remote.WithAuth(&authn.Basic{Username: hubtest.User, Password: hubtest.Password})

// TestInteropAcrossRestart publishes with aios, restarts the hub on the same storage, then
// reads the artifact with go-containerregistry, an independent OCI client, and pulls it again
// with aios.
func TestInteropAcrossRestart(t *testing.T) {
	first := hubtest.Start(t, "", false)
	b := testBundle(t, "summarizer", "2.0.0", "Summarizes text.", 8<<10, nil)
	pub := publish(t, publisher(), b, first.Addr()+"/agents/summarizer")
	first.Stop()

	second := hubtest.Start(t, first.Root, false)
	ref, err := name.ParseReference(second.Addr()+"/agents/summarizer:2.0.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(ref, ggcrAuth)
	if err != nil {
		t.Fatalf("go-containerregistry get after restart: %v", err)
	}
	if desc.Digest.String() != pub.Digest {
		t.Fatalf("manifest digest %s, published %s", desc.Digest, pub.Digest)
	}
	man, err := v1.ParseManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		t.Fatal(err)
	}
	if man.MediaType != types.OCIManifestSchema1 || man.Config.MediaType != ConfigMediaType {
		t.Fatalf("manifest %s config %s", man.MediaType, man.Config.MediaType)
	}
	if len(man.Layers) != 1 || man.Layers[0].MediaType != LayerMediaType || man.Layers[0].Digest.String() != b.Digest() {
		t.Fatalf("layers %+v", man.Layers)
	}
	if man.Annotations[AnnotationTitle] != "summarizer" || man.Annotations[AnnotationVersion] != "2.0.0" {
		t.Fatalf("annotations %v", man.Annotations)
	}
	layer, err := remote.Layer(ref.Context().Digest(b.Digest()), ggcrAuth)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := layer.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(data, b.Bytes()) {
		t.Fatalf("layer read by go-containerregistry differs: %v", err)
	}

	got, err := newCache(t).Pull(context.Background(), publisher(), second.Addr()+"/agents/summarizer:2.0.0", PullOptions{})
	if err != nil {
		t.Fatalf("aios pull after restart: %v", err)
	}
	if !bytes.Equal(got.Bundle.Bytes(), b.Bytes()) {
		t.Fatal("aios pulled a different bundle after restart")
	}
}

// TestPullForeignArtifacts pushes with go-containerregistry: a bundle with the older layer
// media type (accepted) and an ordinary container image (refused).
func TestPullForeignArtifacts(t *testing.T) {
	h := hubtest.Start(t, "", true)
	b := testBundle(t, "legacy", "0.1.0", "", 64, nil)

	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, legacyConfigMediaType)
	img, err := mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(b.Bytes(), LegacyLayerMediaType)})
	if err != nil {
		t.Fatal(err)
	}
	legacyRef := h.Addr() + "/agents/legacy:0.1.0"
	writeImage(t, legacyRef, img)
	got, err := newCache(t).Pull(context.Background(), anonymous(), legacyRef, PullOptions{})
	if err != nil {
		t.Fatalf("pull legacy layer type: %v", err)
	}
	if got.Bundle.Digest() != b.Digest() {
		t.Fatal("legacy pull gave a different bundle")
	}

	container, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	containerRef := h.Addr() + "/library/busybox:1.0.0"
	writeImage(t, containerRef, container)
	if _, err := newCache(t).Pull(context.Background(), anonymous(), containerRef, PullOptions{}); !errors.Is(err, ErrNotBundle) {
		t.Fatalf("container image: err = %v, want ErrNotBundle", err)
	}
}

func writeImage(t *testing.T, ref string, img v1.Image) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, ggcrAuth); err != nil {
		t.Fatalf("go-containerregistry write %s: %v", ref, err)
	}
}
