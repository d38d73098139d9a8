package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/packager/bundle"
)

// KeygenOptions are `aios keygen`'s flags and dependencies.
type KeygenOptions struct {
	IO     *IOStreams
	Prefix string
}

// NewCmdKeygen builds `aios keygen`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdKeygen(io *IOStreams, runF func(context.Context, *KeygenOptions) error) *cobra.Command {
	opts := &KeygenOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "keygen [-o NAME]",
		Short: "Make an Ed25519 key pair for signing bundles",
		Long: `Make an Ed25519 signing key pair: NAME.key, the private key (PKCS#8 PEM, mode 0600),
and NAME.pub, the public key (PKIX PEM) that others list as trusted. Prints the key ID,
the fingerprint aios shows for bundles signed with it.

Existing files are never overwritten. Keep NAME.key secret; share NAME.pub.`,
		Example: `  aios keygen                 # writes aios.key and aios.pub
  aios keygen -o keys/alice   # writes keys/alice.key and keys/alice.pub`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runKeygen(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Prefix, "output", "o", "aios", "write NAME.key and NAME.pub")
	return cmd
}

func runKeygen(o *KeygenOptions) error {
	priv, err := bundle.GenerateKey()
	if err != nil {
		return exitWith(ExitKernel, err)
	}
	privPath, pubPath := o.Prefix+".key", o.Prefix+".pub"
	if err := bundle.WriteKeyPair(priv, privPath, pubPath); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return exitWith(ExitCantCreate, fmt.Errorf("%w (keys are never overwritten: choose another name with -o)", err))
		}
		return exitWith(ExitCantCreate, err)
	}
	fmt.Fprintf(o.IO.Out, "private key: %s (keep it secret)\npublic key:  %s\nkey ID:      %s\n",
		privPath, pubPath, bundle.KeyID(priv.Public().(ed25519.PublicKey)))
	return nil
}
