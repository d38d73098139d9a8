package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"oras.land/oras-go/v2/registry"

	"github.com/aiosys/aios/packager/oci"
)

// openCache opens the bundle cache at dir, or at the default place when dir is empty.
func openCache(dir string) (*oci.Cache, error) {
	if dir == "" {
		var err error
		if dir, err = defaultCacheDir(); err != nil {
			return nil, err
		}
	}
	c, err := oci.OpenCache(dir)
	if err != nil {
		return nil, exitWith(ExitConfig, fmt.Errorf("bundle %w (choose another directory with --cache)", err))
	}
	return c, nil
}

// fetchBundle brings ref's bundle into the cache. A reference pinned by digest that is
// already cached is used without the network. A tag is always resolved at the hub, since it
// may have moved; when the hub cannot be reached, the tag's cached bundle is used instead, with
// a warning. A progress bar is drawn only when standard error is a terminal.
func fetchBundle(ctx context.Context, io *IOStreams, cache *oci.Cache, remote oci.Remote, ref string) (*oci.Pulled, error) {
	if strings.Contains(ref, "@") {
		if p, err := cache.Load(ref); err == nil {
			return p, nil
		}
	}
	var opts oci.PullOptions
	if IsTerminal(io.ErrOut) {
		opts.Progress = oci.Bar(io.ErrOut)
	}
	pulled, err := cache.Pull(ctx, remote, ref, opts)
	if err == nil {
		return pulled, nil
	}
	if isNetError(err) || errors.Is(err, oci.ErrInterrupted) {
		if p, loadErr := cache.Load(ref); loadErr == nil {
			fmt.Fprintf(io.ErrOut, "aios: warning: %v\naios: using the cached %s (%s)\n", err, p.Ref, p.Digest)
			return p, nil
		}
	}
	if errors.Is(err, oci.ErrNotFound) {
		err = fmt.Errorf("%w (aios search --hub %s lists what it has)", err, refHost(ref))
	}
	return nil, bundleExit(err, ExitUnavailable)
}

// refHost is the registry host of a reference, or "" when it does not parse (the pull then
// reports the parse error).
func refHost(ref string) string {
	r, err := registry.ParseReference(ref)
	if err != nil {
		return ""
	}
	return r.Registry
}
