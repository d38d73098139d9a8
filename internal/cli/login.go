package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/aiosys/aios/packager/oci"
)

// LoginOptions are `aios login`'s and `aios logout`'s flags and dependencies.
type LoginOptions struct {
	IO       *IOStreams
	Host     string
	Registry registryFlags
}

// NewCmdLogin builds `aios login`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdLogin(io *IOStreams, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "login HOST[:PORT] --username USER [--password-stdin]",
		Short: "Save a hub account, so hub commands use it",
		Long: `Check a hub account against the hub and, if the hub accepts it, save it for that host.
publish, pull, search and run REF then use it whenever no account is given with
--username or $AIOS_HUB_USER.

Logins are kept where Docker and oras keep theirs: $DOCKER_CONFIG/config.json, else
~/.docker/config.json. If that file names a credential helper, the helper stores the
password; otherwise it is stored base64-encoded, not encrypted, in the file (mode 0600).

The password comes from standard input with --password-stdin, else $AIOS_HUB_PASSWORD,
else a prompt at a terminal.

Exit status: 0 saved, 64 usage, 69 hub unreachable, 77 the hub refused the account,
78 the logins file cannot be read or written.`,
		Example: `  aios login localhost:5000 --username alice --password-stdin < password.txt
  aios login hub.example.com -u alice`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Host = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runLogin(cmd.Context(), opts)
		},
	}
	opts.Registry.register(cmd.Flags())
	return cmd
}

// NewCmdLogout builds `aios logout`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdLogout(io *IOStreams, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{IO: io}
	return &cobra.Command{
		Use:   "logout HOST[:PORT]",
		Short: "Forget the hub account aios login saved for a host",
		Long: `Remove the account aios login saved for HOST from $DOCKER_CONFIG/config.json (else
~/.docker/config.json), or from the credential helper that file names.`,
		Example: `  aios logout localhost:5000`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Host = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runLogout(cmd.Context(), opts)
		},
	}
}

func runLogin(ctx context.Context, o *LoginOptions) error {
	if err := checkHost(o.Host); err != nil {
		return err
	}
	user, password, err := o.loginAccount()
	if err != nil {
		return err
	}
	plain, err := o.Registry.plainHTTP(o.Host)
	if err != nil {
		return err
	}
	remote := oci.Remote{PlainHTTP: plain}
	logins, err := oci.OpenLogins()
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	if err := remote.Login(ctx, logins, o.Host, auth.Credential{Username: user, Password: password}); err != nil {
		code := ExitConfig // the hub accepted the account; saving it failed
		switch {
		case errors.Is(err, oci.ErrUnauthorized):
			code = ExitNoPerm
		case errors.Is(err, oci.ErrNotFound), errors.Is(err, oci.ErrInterrupted), isNetError(err):
			code = ExitUnavailable
		}
		return exitWith(code, err)
	}
	fmt.Fprintf(o.IO.Out, "logged in to %s as %s (saved in %s)\n", o.Host, user, logins.Path())
	return nil
}

// loginAccount is the account to log in with: a user is required; the password comes from
// the flags or the environment, else a prompt at a terminal.
func (o *LoginOptions) loginAccount() (string, string, error) {
	f := o.Registry
	user := f.Username
	if user == "" {
		user = os.Getenv(EnvHubUser)
	}
	if user == "" {
		return "", "", exitWith(ExitUsage, errors.New("aios login needs a user: pass --username (or set $"+EnvHubUser+")"))
	}
	if f.PasswordStdin || os.Getenv(EnvHubPassword) != "" {
		return f.account(o.IO.In)
	}
	in, ok := o.IO.In.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return "", "", exitWith(ExitUsage, fmt.Errorf("no password for hub user %s: pass --password-stdin or set $%s", user, EnvHubPassword))
	}
	fmt.Fprintf(o.IO.ErrOut, "Password for %s at %s: ", user, o.Host)
	b, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(o.IO.ErrOut)
	if err != nil {
		return "", "", exitWith(ExitNoInput, fmt.Errorf("read password: %w", err))
	}
	if len(b) == 0 {
		return "", "", exitWith(ExitUsage, errors.New("empty password"))
	}
	return user, string(b), nil
}

func runLogout(ctx context.Context, o *LoginOptions) error {
	if err := checkHost(o.Host); err != nil {
		return err
	}
	logins, err := oci.OpenLogins()
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	has, err := logins.Has(ctx, o.Host)
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	if !has {
		fmt.Fprintf(o.IO.ErrOut, "aios: not logged in to %s\n", o.Host)
		return nil
	}
	if err := logins.Logout(ctx, o.Host); err != nil {
		return exitWith(ExitConfig, err)
	}
	fmt.Fprintf(o.IO.Out, "logged out of %s\n", o.Host)
	return nil
}

// checkHost refuses anything but a registry host ("name" or "name:port").
func checkHost(host string) error {
	r := registry.Reference{Registry: host}
	if strings.Contains(host, "/") || r.ValidateRegistry() != nil {
		return exitWith(ExitUsage, fmt.Errorf("%q is not a hub: want HOST[:PORT], e.g. localhost:5000", host))
	}
	return nil
}
