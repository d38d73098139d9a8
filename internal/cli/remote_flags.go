package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aiosys/aios/client"
)

// Environment variables the remote commands read when their flags are not given.
const (
	EnvKernel = "AIOS_KERNEL" // the kernel's URL, as --kernel
	EnvToken  = "AIOS_TOKEN"  // the bearer token, as --token
)

// remoteFlags name the kernel a remote command talks to and the token it shows.
type remoteFlags struct {
	Kernel string
	Token  string
}

func (r *remoteFlags) register(f *pflag.FlagSet) {
	f.StringVar(&r.Kernel, "kernel", "", "the URL of a kernel served by 'aios kernel serve' (default: $"+EnvKernel+")")
	f.StringVar(&r.Token, "token", "", "the bearer token for the kernel (default: $"+EnvToken+")")
}

// url is the kernel's URL from the flag, else the environment; empty when neither names one.
func (r *remoteFlags) url() string {
	if r.Kernel != "" {
		return r.Kernel
	}
	return os.Getenv(EnvKernel)
}

// client returns a client of the named kernel, or a usage error when none is named.
func (r *remoteFlags) client() (*client.Client, error) {
	u := r.url()
	if u == "" {
		return nil, exitWith(ExitUsage, errors.New("no kernel named: give --kernel URL or set "+EnvKernel+" (e.g. http://127.0.0.1:7420)"))
	}
	tok := r.Token
	if tok == "" {
		tok = os.Getenv(EnvToken)
	}
	return client.New(u, tok), nil
}

// remoteExit turns an error from the kernel's API into the command's exit code: 77 for a token
// refused, 64 for a request refused as malformed, 65 for a module or bundle refused, 66 for no
// such run, approval or hub reference, 70 for a start policy denied (as a local run) or the
// kernel failing, 69 when the kernel cannot be reached, is too busy or cannot reach its hub.
func remoteExit(err error) error {
	var apiErr *client.Error
	if !errors.As(err, &apiErr) {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return exitWith(ExitUnavailable, fmt.Errorf("reach the kernel: %w", err))
	}
	if strings.HasPrefix(apiErr.Message, "module refused") || strings.HasPrefix(apiErr.Message, "bundle refused") {
		return exitWith(ExitRefused, err)
	}
	switch apiErr.StatusCode {
	case http.StatusUnauthorized:
		return exitWith(ExitNoPerm, fmt.Errorf("%w (check --token or $%s)", err, EnvToken))
	case http.StatusNotFound:
		return exitWith(ExitNoInput, err)
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return exitWith(ExitUsage, err)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway:
		return exitWith(ExitUnavailable, err)
	}
	return exitWith(ExitKernel, err)
}
