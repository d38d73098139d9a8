package oci

import (
	"context"
	"fmt"
	"net/http"

	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// Remote says how to reach registries. The zero value talks HTTPS, anonymously, through
// oras's retrying HTTP client.
type Remote struct {
	// Credential returns the credential for a registry host ("host:port"); nil means
	// anonymous. oras's credentials package reads Docker's config files into one.
	Credential auth.CredentialFunc
	// PlainHTTP talks HTTP instead of HTTPS, for a hub on loopback.
	PlainHTTP bool
	// HTTPClient is the underlying client; nil uses oras's retrying client.
	HTTPClient *http.Client
}

// client builds the auth-decorated client oras uses for every request.
func (r Remote) client() *auth.Client {
	hc := r.HTTPClient
	if hc == nil {
		hc = retry.DefaultClient
	}
	return &auth.Client{
		Client:     hc,
		Credential: r.Credential,
		Cache:      auth.NewCache(),
	}
}

// repository opens the repository a parsed reference names.
func (r Remote) repository(ref registry.Reference) (*remote.Repository, error) {
	repo, err := remote.NewRepository(ref.Registry + "/" + ref.Repository)
	if err != nil {
		return nil, fmt.Errorf("repository %s/%s: %w", ref.Registry, ref.Repository, err)
	}
	repo.Client = r.client()
	repo.PlainHTTP = r.PlainHTTP
	return repo, nil
}

// registry opens a registry by host.
func (r Remote) registry(host string) (*remote.Registry, error) {
	reg, err := remote.NewRegistry(host)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", host, err)
	}
	reg.Client = r.client()
	reg.PlainHTTP = r.PlainHTTP
	return reg, nil
}

// parseRef parses "host[:port]/repository[:tag|@digest]".
func parseRef(ref string) (registry.Reference, error) {
	parsed, err := registry.ParseReference(ref)
	if err != nil {
		return registry.Reference{}, fmt.Errorf("reference %q: want HOST/REPOSITORY[:TAG|@DIGEST]: %w", ref, err)
	}
	return parsed, nil
}

// ctxDone reports ctx's error if it has ended, so long loops stop promptly.
func ctxDone(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		return nil
	}
}
