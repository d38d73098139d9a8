package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
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
// (Commands that only run remotely also read [remote] kernel; see client.)
func (r *remoteFlags) url() string {
	if r.Kernel != "" {
		return r.Kernel
	}
	return os.Getenv(EnvKernel)
}

// client returns a client of the named kernel: the flag, else $AIOS_KERNEL, else [remote]
// kernel in aios.toml; the token likewise from --token, $AIOS_TOKEN or [remote] token_file.
// Naming no kernel is a usage error.
func (r *remoteFlags) client() (*client.Client, error) {
	u, tok := r.url(), r.Token
	if tok == "" {
		tok = os.Getenv(EnvToken)
	}
	if u == "" || tok == "" {
		cfg, err := loadConfig()
		if err != nil {
			return nil, err
		}
		if u == "" {
			u = cfg.Remote.Kernel
		}
		if tok == "" && cfg.Remote.TokenFile != "" {
			if tok, err = readTokenFile(cfg.Remote.TokenFile); err != nil {
				return nil, exitWith(ExitConfig, err)
			}
		}
	}
	if u == "" {
		return nil, exitWith(ExitUsage, errors.New("no kernel named: give --kernel URL, set "+EnvKernel+" (e.g. http://127.0.0.1:7420) or [remote] kernel in aios.toml"))
	}
	return client.New(u, tok), nil
}

// maxTokenFile bounds a token file: a token is a line of a few dozen characters.
const maxTokenFile = 4 << 10

// readTokenFile reads the bearer token from the first line of path. A file others may read is
// refused, as ssh refuses such a key.
func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("[remote] token_file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("[remote] token_file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("[remote] token_file %s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("[remote] token_file %s may be read by others (mode %04o): chmod 600 %s", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("[remote] token_file: %w", err)
	}
	if len(b) > maxTokenFile {
		return "", fmt.Errorf("[remote] token_file %s is larger than %d bytes: it should hold one token", path, maxTokenFile)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	tok := strings.TrimSpace(line)
	if tok == "" {
		return "", fmt.Errorf("[remote] token_file %s holds no token on its first line", path)
	}
	for _, r := range tok {
		if r < 0x21 || r > 0x7e {
			return "", fmt.Errorf("[remote] token_file %s: the token holds a character that is not printable ASCII", path)
		}
	}
	return tok, nil
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
