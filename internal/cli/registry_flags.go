package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/aiosys/aios/packager/oci"
)

// Environment variables the registry commands read.
const (
	// EnvHubUser and EnvHubPassword are the hub account, when --username and
	// --password-stdin are not given; they win over a login saved by `aios login`.
	EnvHubUser     = "AIOS_HUB_USER"
	EnvHubPassword = "AIOS_HUB_PASSWORD"
	// EnvHubPlainHTTP ("true" or "false") overrides the plain-HTTP choice, as --plain-http does.
	EnvHubPlainHTTP = "AIOS_HUB_PLAIN_HTTP"
)

// maxPasswordBytes bounds a password read from standard input.
const maxPasswordBytes = 4 << 10

// registryFlags say how to reach a hub: the account and the transport.
type registryFlags struct {
	Username      string
	PasswordStdin bool
	PlainHTTP     bool
	// plainHTTPSet is whether --plain-http was given; otherwise loopback hosts get plain HTTP.
	plainHTTPSet func() bool
}

// register adds the registry flags to fs.
func (f *registryFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.Username, "username", "u", "", "hub user name (default $"+EnvHubUser+")")
	fs.BoolVar(&f.PasswordStdin, "password-stdin", false, "read the hub password from standard input (default $"+EnvHubPassword+")")
	fs.BoolVar(&f.PlainHTTP, "plain-http", false, "talk plain HTTP instead of HTTPS (default: plain HTTP for loopback hosts only)")
	f.plainHTTPSet = func() bool { return fs.Changed("plain-http") }
}

// remote builds the oci.Remote for host ("host:port"). The account is, first to last:
// --username (with --password-stdin or $AIOS_HUB_PASSWORD), $AIOS_HUB_USER with
// $AIOS_HUB_PASSWORD, the login `aios login` saved for host; else none. Credentials, when
// any, are only ever sent to that host.
func (f *registryFlags) remote(host string, stdin io.Reader) (oci.Remote, error) {
	plain, err := f.plainHTTP(host)
	if err != nil {
		return oci.Remote{}, err
	}
	r := oci.Remote{PlainHTTP: plain}
	user, password, err := f.account(stdin)
	if err != nil {
		return oci.Remote{}, err
	}
	if user != "" {
		r.Credential = auth.StaticCredential(host, auth.Credential{Username: user, Password: password})
		return r, nil
	}
	logins, err := openLogins()
	if err != nil {
		return oci.Remote{}, err
	}
	if logins != nil {
		r.Credential = logins.Credential()
	}
	return r, nil
}

// account is the user and password that the flags and the environment give, or "" for
// none. A user needs a password.
func (f *registryFlags) account(stdin io.Reader) (user, password string, err error) {
	user = f.Username
	if user == "" {
		user = os.Getenv(EnvHubUser)
	}
	password = os.Getenv(EnvHubPassword)
	if f.PasswordStdin {
		if user == "" {
			return "", "", exitWith(ExitUsage, errors.New("--password-stdin needs --username (or $"+EnvHubUser+")"))
		}
		p, err := readPassword(stdin)
		if err != nil {
			return "", "", exitWith(ExitNoInput, err)
		}
		password = p
	}
	if user != "" && password == "" {
		return "", "", exitWith(ExitUsage, fmt.Errorf("no password for hub user %s: pass --password-stdin or set $%s", user, EnvHubPassword))
	}
	return user, password, nil
}

// plainHTTP decides the transport to host from --plain-http, $AIOS_HUB_PLAIN_HTTP and host.
func (f *registryFlags) plainHTTP(host string) (bool, error) {
	return plainHTTP(host, f.PlainHTTP, f.plainHTTPSet != nil && f.plainHTTPSet())
}

// openLogins opens the logins `aios login` saves; nil, without error, when there is no home
// directory to find them in. A file that cannot be read is a configuration error.
func openLogins() (*oci.Logins, error) {
	if _, err := oci.LoginsPath(); err != nil {
		return nil, nil
	}
	l, err := oci.OpenLogins()
	if err != nil {
		return nil, exitWith(ExitConfig, fmt.Errorf("%w (fix or remove the file; $DOCKER_CONFIG chooses another directory)", err))
	}
	return l, nil
}

// stdinFree refuses --password-stdin when standard input also carries something else (input
// is the value of a flag that reads "-" as standard input).
func (f *registryFlags) stdinFree(input string) error {
	if f.PasswordStdin && input == "-" {
		return exitWith(ExitUsage, errors.New("--password-stdin and --input - both read standard input: pass the password in $"+EnvHubPassword+" or log in with aios login"))
	}
	return nil
}

// plainHTTP decides the transport: the flag when given, else $AIOS_HUB_PLAIN_HTTP, else plain
// HTTP exactly for loopback hosts (as `aios hub serve` listens by default), HTTPS elsewhere.
func plainHTTP(host string, flag, flagSet bool) (bool, error) {
	if flagSet {
		return flag, nil
	}
	if v := os.Getenv(EnvHubPlainHTTP); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, exitWith(ExitConfig, fmt.Errorf("$%s=%q: want true or false", EnvHubPlainHTTP, v))
		}
		return b, nil
	}
	return isLoopbackHost(host), nil
}

// isLoopbackHost reports whether host ("name" or "name:port") is localhost or a loopback IP.
func isLoopbackHost(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if strings.EqualFold(name, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(name, "[]"))
	return ip != nil && ip.IsLoopback()
}

// readPassword reads a password from r: its first line, without the line break.
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("read password: no standard input")
	}
	line, err := bufio.NewReader(io.LimitReader(r, maxPasswordBytes)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("read password from standard input: it is empty")
	}
	return line, nil
}

// withLoginHint adds how to give credentials to host's refusal.
func withLoginHint(err error, host string) error {
	var ee *exitError
	if errors.Is(err, oci.ErrUnauthorized) && errors.As(err, &ee) {
		return exitWith(ee.code, fmt.Errorf("%w\n(log in with: aios login %s --username USER; or pass --username and --password-stdin, or set $%s and $%s)", ee.err, host, EnvHubUser, EnvHubPassword))
	}
	return err
}
