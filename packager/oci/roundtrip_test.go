package oci

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/packager/hub/hubtest"
)

func TestPublishPullRoundTrip(t *testing.T) {
	h := hubtest.Start(t, "", false)
	key, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b := testBundle(t, "summarizer", "1.2.0", "Summarizes text.", 64<<10, key)
	ref := h.Addr() + "/agents/summarizer"

	var mu sync.Mutex
	var pushed []Event
	pub, err := publisher().Publish(context.Background(), b, ref, PublishOptions{Progress: func(e Event) {
		mu.Lock()
		pushed = append(pushed, e)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if pub.Ref != ref+":1.2.0" || pub.LayerDigest != b.Digest() {
		t.Fatalf("published %+v", pub)
	}
	if !completed(pushed, b.Digest(), int64(len(b.Bytes()))) {
		t.Fatalf("push progress never completed the layer: %+v", pushed)
	}

	c := newCache(t)
	var pulled []Event
	got, err := c.Pull(context.Background(), publisher(), ref+":1.2.0", PullOptions{Progress: func(e Event) {
		mu.Lock()
		pulled = append(pulled, e)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bundle.Bytes(), b.Bytes()) || got.Digest != pub.Digest {
		t.Fatal("pulled bundle differs from the published one")
	}
	if a := got.Annotations; a[AnnotationTitle] != "summarizer" || a[AnnotationVersion] != "1.2.0" || a[AnnotationDescription] != "Summarizes text." {
		t.Fatalf("annotations %v", a)
	}
	if onDisk, err := os.ReadFile(got.Path); err != nil || !bytes.Equal(onDisk, b.Bytes()) {
		t.Fatalf("cached file: %v", err)
	}
	if !completed(pulled, b.Digest(), int64(len(b.Bytes()))) {
		t.Fatalf("pull progress never completed the layer: %+v", pulled)
	}
	trust := &bundle.Trust{}
	trust.AddKey(key.Public().(ed25519.PublicKey))
	if p, err := got.Bundle.Verify(trust); err != nil || !p.Signed {
		t.Fatalf("verify pulled bundle: %+v %v", p, err)
	}

	// The cache answers offline, by tag and by digest.
	h.Stop()
	for _, r := range []string{ref + ":1.2.0", ref + "@" + pub.Digest} {
		again, err := c.Load(r)
		if err != nil {
			t.Fatalf("load %s: %v", r, err)
		}
		if !bytes.Equal(again.Bundle.Bytes(), b.Bytes()) {
			t.Fatalf("load %s: different bundle", r)
		}
	}
	if _, err := c.Load(ref + ":9.9.9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("load of an unknown tag: %v", err)
	}
	checkNoPartialFiles(t, c)
}

func completed(events []Event, digest string, size int64) bool {
	for _, e := range events {
		if e.Digest == digest && e.Complete && e.Done == size && e.Size == size {
			return true
		}
	}
	return false
}

func TestPullHighestVersion(t *testing.T) {
	h := hubtest.Start(t, "", true)
	ref := h.Addr() + "/agents/echo"
	for _, v := range []string{"1.2.0", "1.10.0", "1.11.0-rc.1", "1.9.3"} {
		publish(t, publisher(), testBundle(t, "echo", v, "", 16, nil), ref)
	}
	got, err := newCache(t).Pull(context.Background(), anonymous(), ref, PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v := got.Bundle.Manifest().Version; v != "1.10.0" || got.Ref != ref+":1.10.0" {
		t.Fatalf("pulled %s as %s, want 1.10.0", v, got.Ref)
	}
}

func TestRepublishSkipsExistingBlobs(t *testing.T) {
	h := hubtest.Start(t, "", false)
	b := testBundle(t, "echo", "1.0.0", "", 1024, nil)
	ref := h.Addr() + "/agents/echo:1.0.0"
	if _, err := publisher().Publish(context.Background(), b, ref, PublishOptions{Created: time.Unix(1e9, 0)}); err != nil {
		t.Fatal(err)
	}
	var skipped bool
	// A different creation time makes a new manifest over the same layer.
	_, err := publisher().Publish(context.Background(), b, h.Addr()+"/agents/echo:stable", PublishOptions{Created: time.Unix(2e9, 0), Progress: func(e Event) {
		if e.Digest == b.Digest() && e.Skipped {
			skipped = true
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !skipped {
		t.Fatal("the layer was uploaded again")
	}
}

func TestConcurrentPulls(t *testing.T) {
	h := hubtest.Start(t, "", true)
	versions := []string{"1.0.0", "1.1.0"}
	for _, v := range versions {
		publish(t, publisher(), testBundle(t, "echo", v, "", 4<<10, nil), h.Addr()+"/agents/echo")
	}
	c := newCache(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Pull(context.Background(), anonymous(), h.Addr()+"/agents/echo:"+versions[i%2], PullOptions{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for _, v := range versions {
		got, err := c.Load(h.Addr() + "/agents/echo:" + v)
		if err != nil || got.Bundle.Manifest().Version != v {
			t.Fatalf("load %s: %v", v, err)
		}
	}
	checkNoPartialFiles(t, c)
}
