package oci

import (
	"context"
	"io"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
)

// Event reports how far one blob of a transfer has got.
type Event struct {
	Digest    string
	MediaType string
	// Size is the blob's full size; Done the bytes moved so far.
	Size, Done int64
	// Complete is set once, on the last event of the blob. Skipped means the destination
	// already had it and nothing was moved.
	Complete, Skipped bool
}

// Progress receives transfer events. It may be called from several goroutines at once and
// must not block for long; nil means no reporting.
type Progress func(Event)

// progressStorage reports the bytes read from every blob it fetches.
type progressStorage struct {
	content.ReadOnlyStorage
	progress Progress
}

// Fetch implements content.Fetcher.
func (s progressStorage) Fetch(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	rc, err := s.ReadOnlyStorage.Fetch(ctx, desc)
	if err != nil || s.progress == nil {
		return rc, err
	}
	return &progressReader{ReadCloser: rc, desc: desc, progress: s.progress}, nil
}

// skipped reports a blob the destination already had.
func (p Progress) skipped(desc ocispec.Descriptor) {
	if p != nil {
		p(Event{Digest: desc.Digest.String(), MediaType: desc.MediaType, Size: desc.Size, Done: desc.Size, Complete: true, Skipped: true})
	}
}

type progressReader struct {
	io.ReadCloser
	desc     ocispec.Descriptor
	progress Progress
	done     int64
	ended    bool
}

func (r *progressReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.done += int64(n)
	if r.ended {
		return n, err
	}
	complete := err == io.EOF || (err == nil && r.done == r.desc.Size)
	if n > 0 || complete {
		r.ended = complete
		r.progress(Event{
			Digest: r.desc.Digest.String(), MediaType: r.desc.MediaType,
			Size: r.desc.Size, Done: r.done, Complete: complete,
		})
	}
	return n, err
}
