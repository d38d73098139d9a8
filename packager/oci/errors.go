package oci

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"

	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

var (
	// ErrUnauthorized is returned when the registry refuses the credentials (or their absence).
	ErrUnauthorized = errors.New("registry refused access")
	// ErrNotFound is returned for a repository, tag or blob the registry does not have.
	ErrNotFound = errors.New("not found")
	// ErrDigestMismatch is returned when content does not hash to the digest that names it.
	ErrDigestMismatch = errors.New("content does not match its digest")
	// ErrInterrupted is returned when a transfer broke off part way. Nothing partial is kept;
	// trying again is safe.
	ErrInterrupted = errors.New("transfer interrupted (nothing partial was kept; try again)")
	// ErrNotBundle is returned for an artifact that is not an aios bundle.
	ErrNotBundle = errors.New("not an aios bundle artifact")
)

// classify adds this package's sentinel to an oras or registry error, keeping the original.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var resp *errcode.ErrorResponse
	switch {
	case errors.As(err, &resp) && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden):
		return fmt.Errorf("%w (check the user name and password for %s): %w", ErrUnauthorized, resp.URL.Host, err)
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		return fmt.Errorf("%w (the registry wants a user name and password; none is configured): %w", ErrUnauthorized, err)
	case errors.As(err, &resp) && resp.StatusCode == http.StatusNotFound, errors.Is(err, errdef.ErrNotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("%w: %w", ErrInterrupted, err)
	case errors.Is(err, content.ErrMismatchedDigest), errors.Is(err, content.ErrTrailingData):
		return fmt.Errorf("%w: %w", ErrDigestMismatch, err)
	}
	return err
}

// errNotOnHub is ErrNotFound for a repository or tag the registry does not have. The
// registry's own words add nothing to it (an oras not-found repeats the reference, a 404 body
// the repository), so they are left out and the message says it once.
var errNotOnHub = fmt.Errorf("%w on the hub", ErrNotFound)

// onHub replaces a classified not-found error by errNotOnHub; other errors pass unchanged.
func onHub(err error) error {
	if errors.Is(err, ErrNotFound) {
		return errNotOnHub
	}
	return err
}
