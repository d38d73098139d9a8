package cli

import (
	"errors"
	"io/fs"
	"net"

	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/packager/oci"
)

// Exit codes of the bundle and hub commands, beyond exitcode.go's (after sysexits.h).
const (
	ExitUnavailable = 69 // the registry could not be reached or the transfer broke off
	ExitCantCreate  = 73 // an output file cannot be written (or would overwrite a key)
	ExitNoPerm      = 77 // the registry refused the credentials (or their absence)
)

// bundleExit picks the exit code for an error of the packager packages: refusals of the
// bundle's content or signature are 65, missing inputs 66, registry access 77, transport 69.
// fallback is the code of anything else.
func bundleExit(err error, fallback int) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	code := fallback
	switch {
	case errors.Is(err, bundle.ErrBadSignature), errors.Is(err, bundle.ErrUnknownKey),
		errors.Is(err, bundle.ErrUnsigned), errors.Is(err, bundle.ErrMalformed),
		errors.Is(err, bundle.ErrNoManifest), errors.Is(err, bundle.ErrDuplicateSection),
		errors.Is(err, bundle.ErrUnknownSection), errors.Is(err, bundle.ErrInvalidManifest),
		errors.Is(err, oci.ErrDigestMismatch), errors.Is(err, oci.ErrNotBundle):
		code = ExitRefused
	case errors.Is(err, bundle.ErrBadKey), errors.Is(err, fs.ErrNotExist),
		errors.Is(err, fs.ErrPermission), errors.Is(err, oci.ErrNotFound):
		code = ExitNoInput
	case errors.Is(err, oci.ErrUnauthorized):
		code = ExitNoPerm
	case errors.Is(err, oci.ErrInterrupted), isNetError(err):
		code = ExitUnavailable
	}
	return exitWith(code, err)
}

// isNetError reports whether err is a network failure: a host that cannot be resolved or
// reached, a connection refused or reset.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}
