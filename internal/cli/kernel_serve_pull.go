package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/packager/oci"
	"github.com/aiosys/aios/server"
)

// hubPuller is how `aios kernel serve` fetches the bundles POST /v1/runs names by reference: as
// `aios run REF` does, into the same cache, with the hub account and transport of the
// environment ($AIOS_HUB_USER, $AIOS_HUB_PASSWORD, $AIOS_HUB_PLAIN_HTTP) and the logins `aios
// login` saved. The server verifies what it gets against its trust again, as for an upload.
func hubPuller(trust bundle.TrustConfig, cacheDir string) server.Puller {
	quiet := &IOStreams{In: eofReader{}, Out: io.Discard, ErrOut: io.Discard}
	return func(ctx context.Context, ref string) ([]byte, error) {
		if !looksLikeRef(ref) {
			return nil, fmt.Errorf("not a hub reference: want HOST/REPOSITORY[:TAG|@DIGEST]: %w", fs.ErrNotExist)
		}
		t, err := newTrust(trust)
		if err != nil {
			return nil, err
		}
		loaded, err := pullAgent(ctx, quiet, ref, t, cacheDir, &registryFlags{})
		if errors.Is(err, oci.ErrNotFound) {
			return nil, fmt.Errorf("%w: %w", err, fs.ErrNotExist)
		}
		if err != nil {
			return nil, err
		}
		return loaded.Wasm, nil
	}
}

// eofReader is a standard input with nothing on it: a server never prompts.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
