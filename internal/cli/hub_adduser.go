package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/aiosys/aios/packager/hub"
)

// HubAddUserOptions are `aios hub adduser`'s flags and dependencies.
type HubAddUserOptions struct {
	IO            *IOStreams
	User          string
	Root          string
	Htpasswd      string
	PasswordStdin bool
}

// NewCmdHubAddUser builds `aios hub adduser`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdHubAddUser(io *IOStreams, runF func(context.Context, *HubAddUserOptions) error) *cobra.Command {
	opts := &HubAddUserOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "adduser USER [--password-stdin]",
		Short: "Add a hub user who may push, or change a user's password",
		Long: `Add a user to the hub's htpasswd file (bcrypt), or replace the password of an
existing user. The hub reads the file on start; restart it to apply changes.

At a terminal the password is asked for twice; otherwise pass --password-stdin and
write it to standard input.`,
		Example: `  aios hub adduser alice
  printf '%s\n' "$PASSWORD" | aios hub adduser ci --password-stdin --root /srv/aios-hub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runHubAddUser(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Root, "root", "", "the hub's data directory (default: the data directory's hub/)")
	f.StringVar(&opts.Htpasswd, "htpasswd", "", "the htpasswd file to change (default ROOT/htpasswd)")
	f.BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

func runHubAddUser(o *HubAddUserOptions) error {
	_, htpasswd, err := hubPaths(o.Root, o.Htpasswd)
	if err != nil {
		return err
	}
	password, err := newPassword(o)
	if err != nil {
		return err
	}
	if err := hub.AddUser(htpasswd, o.User, password); err != nil {
		return exitWith(ExitCantCreate, err)
	}
	fmt.Fprintf(o.IO.Out, "hub user %s saved in %s\n", o.User, htpasswd)
	return nil
}

// newPassword reads the new password from standard input or, at a terminal, asks twice.
func newPassword(o *HubAddUserOptions) (string, error) {
	if o.PasswordStdin {
		p, err := readPassword(o.IO.In)
		if err != nil {
			return "", exitWith(ExitNoInput, err)
		}
		return p, nil
	}
	in, ok := o.IO.In.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return "", exitWith(ExitUsage, errors.New("no password: pass --password-stdin and write it to standard input"))
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(o.IO.ErrOut, prompt)
		b, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(o.IO.ErrOut)
		if err != nil {
			return "", exitWith(ExitNoInput, fmt.Errorf("read password: %w", err))
		}
		return string(b), nil
	}
	p, err := ask("Password for " + o.User + ": ")
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", exitWith(ExitUsage, errors.New("empty password"))
	}
	again, err := ask("Again: ")
	if err != nil {
		return "", err
	}
	if again != p {
		return "", exitWith(ExitUsage, errors.New("the passwords differ; nothing changed"))
	}
	return p, nil
}
