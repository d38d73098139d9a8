package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"oras.land/oras-go/v2/registry"

	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/runtime"
)

// loadedAgent is an agent module ready for the kernel, with what aios knows of its origin.
type loadedAgent struct {
	// Wasm is the module: a bundle file as is (engines ignore its custom sections) or a
	// plain module.
	Wasm []byte
	// Name is the manifest's name, or the file name without its extension for a plain module.
	Name string
	// Manifest is the bundle's manifest; nil for a plain module.
	Manifest *bundle.Manifest
	// Publisher is the verified signer; the zero value for an unsigned bundle or a plain module.
	Publisher bundle.Publisher
	// Digest is the file's digest, "sha256:" and hex.
	Digest string
	// Source is the file path, or the full reference the bundle was pulled as (tag resolved).
	Source string
	// RefDigest is the OCI manifest digest of a pulled bundle; empty for a local file.
	RefDigest string
}

// loadAgent resolves ref to an agent module and checks it against the trust policy.
//
// A ref naming an existing file is read from disk: a bundle is verified against trust, a
// plain module (no manifest) is accepted unless trust requires signatures. Otherwise a ref that
// looks like an OCI reference (HOST/REPOSITORY[:TAG|@DIGEST], HOST with a dot, a port or
// "localhost") is pulled into the cache at cacheDir (empty: the data directory's bundles/),
// every blob checked against its digest, and the bundle verified against trust. The hub account
// and transport come from the environment ($AIOS_HUB_USER, $AIOS_HUB_PASSWORD,
// $AIOS_HUB_PLAIN_HTTP) and the logins aios login saved; loadAgentWith takes registry flags
// too. io (not nil) receives the pull's progress bar, at a terminal, and warnings on its ErrOut.
//
// Errors carry the exit code (exitcode.go, bundle_exit.go): 65 for a refused bundle, 66 for
// a missing file or reference, 69 and 77 for registry trouble, 78 for a bad trust setting.
func loadAgent(ctx context.Context, io *IOStreams, ref string, trust bundle.TrustConfig, cacheDir string) (*loadedAgent, error) {
	return loadAgentWith(ctx, io, ref, trust, cacheDir, nil)
}

// loadAgentWith is loadAgent with the hub account and transport of reg (nil: none given).
func loadAgentWith(ctx context.Context, io *IOStreams, ref string, trust bundle.TrustConfig, cacheDir string, reg *registryFlags) (*loadedAgent, error) {
	t, err := newTrust(trust)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(ref)
	switch {
	case err == nil && info.IsDir():
		return nil, exitWith(ExitNoInput, fmt.Errorf("%s is a directory, not a module", ref))
	case err == nil:
		return loadFile(ref, t, trust.RequireSignature)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, exitWith(ExitNoInput, err)
	case !looksLikeRef(ref):
		return nil, exitWith(ExitNoInput, fmt.Errorf("%s: no such file (a hub reference looks like HOST/REPOSITORY[:TAG])", ref))
	}
	if reg == nil {
		reg = &registryFlags{}
	}
	return pullAgent(ctx, io, ref, t, cacheDir, reg)
}

// loadFile reads a module or bundle from disk and verifies it.
func loadFile(path string, t *bundle.Trust, requireSignature bool) (*loadedAgent, error) {
	raw, err := readModuleFile(path)
	if err != nil {
		return nil, err
	}
	b, err := bundle.Open(raw)
	if errors.Is(err, bundle.ErrNoManifest) {
		if requireSignature {
			return nil, exitWith(ExitRefused, fmt.Errorf("%s: %w (it is a plain module: pack it with `aios pack` and sign it with `aios sign`)", path, bundle.ErrUnsigned))
		}
		sum := sha256.Sum256(raw)
		return &loadedAgent{
			Wasm:   raw,
			Name:   strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)),
			Digest: "sha256:" + hex.EncodeToString(sum[:]),
			Source: path,
		}, nil
	}
	if errors.Is(err, bundle.ErrMalformed) {
		// Say what is wrong as `aios inspect` does, from the one wasm parser that names the
		// section and offset of the fault.
		if _, ferr := runtime.Inspect(raw); ferr != nil {
			return nil, exitWith(ExitRefused, fmt.Errorf("%s: %w", path, ferr))
		}
	}
	if err != nil {
		return nil, bundleExit(fmt.Errorf("%s: %w", path, err), ExitRefused)
	}
	pub, err := b.Verify(t)
	if err != nil {
		return nil, bundleExit(fmt.Errorf("%s: %w", path, err), ExitRefused)
	}
	return fromBundle(b, pub, path, ""), nil
}

// readModuleFile reads a module file of at most bundle.MaxBundleSize bytes.
func readModuleFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, exitWith(ExitNoInput, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, bundle.MaxBundleSize+1))
	if err != nil {
		return nil, exitWith(ExitNoInput, fmt.Errorf("read %s: %w", path, err))
	}
	if len(raw) > bundle.MaxBundleSize {
		return nil, exitWith(ExitRefused, fmt.Errorf("%s: larger than %d bytes", path, bundle.MaxBundleSize))
	}
	return raw, nil
}

// pullAgent fetches a bundle from its hub into the cache and verifies it.
func pullAgent(ctx context.Context, io *IOStreams, ref string, t *bundle.Trust, cacheDir string, reg *registryFlags) (*loadedAgent, error) {
	cache, err := openCache(cacheDir)
	if err != nil {
		return nil, err
	}
	host := refHost(ref)
	remote, err := reg.remote(host, io.In)
	if err != nil {
		return nil, err
	}
	pulled, err := fetchBundle(ctx, io, cache, remote, ref)
	if err != nil {
		return nil, withLoginHint(err, host)
	}
	pub, err := pulled.Bundle.Verify(t)
	if err != nil {
		return nil, bundleExit(fmt.Errorf("%s: %w", pulled.Ref, err), ExitRefused)
	}
	return fromBundle(pulled.Bundle, pub, pulled.Ref, pulled.Digest), nil
}

func fromBundle(b *bundle.Bundle, pub bundle.Publisher, source, refDigest string) *loadedAgent {
	m := b.Manifest()
	return &loadedAgent{
		Wasm:      b.Bytes(),
		Name:      m.Name,
		Manifest:  &m,
		Publisher: pub,
		Digest:    b.Digest(),
		Source:    source,
		RefDigest: refDigest,
	}
}

// looksLikeRef reports whether s reads as an OCI reference rather than a file path: a host
// (with a dot, a port, or "localhost") and a repository, and no ".wasm" ending.
func looksLikeRef(s string) bool {
	if strings.HasSuffix(s, ".wasm") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.Contains(s, `\`) {
		return false
	}
	host, _, ok := strings.Cut(s, "/")
	if !ok || !(strings.ContainsAny(host, ".:") || host == "localhost") {
		return false
	}
	_, err := registry.ParseReference(s)
	return err == nil
}
