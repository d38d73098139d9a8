package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/packager/bundle"
)

// SignOptions are `aios sign`'s flags and dependencies.
type SignOptions struct {
	IO     *IOStreams
	Bundle string
	Key    string
	Output string
}

// NewCmdSign builds `aios sign`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdSign(io *IOStreams, runF func(context.Context, *SignOptions) error) *cobra.Command {
	opts := &SignOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "sign BUNDLE.wasm --key NAME.key [-o SIGNED.wasm]",
		Short: "Sign a bundle with an Ed25519 private key",
		Long: `Sign a bundle (made with aios pack) with a private key (made with aios keygen). The
signature covers the module and its manifest, so changing any byte of either breaks it.
An existing signature is replaced. The bundle is rewritten in place unless -o names
another file.`,
		Example: `  aios sign summarizer.wasm --key aios.key
  aios sign summarizer.wasm --key keys/alice.key -o summarizer-signed.wasm`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Bundle = args[0]
			if opts.Key == "" {
				return exitWith(ExitUsage, fmt.Errorf("no key: pass --key NAME.key (make one with aios keygen)"))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSign(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Key, "key", "k", "", "the private key PEM file")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the signed bundle here (default: replace BUNDLE.wasm)")
	return cmd
}

func runSign(o *SignOptions) error {
	priv, err := bundle.LoadPrivateKey(o.Key)
	if err != nil {
		return bundleExit(err, ExitNoInput)
	}
	raw, err := readModuleFile(o.Bundle)
	if err != nil {
		return err
	}
	signed, err := bundle.Sign(raw, priv)
	if err != nil {
		return bundleExit(fmt.Errorf("%s: %w", o.Bundle, err), ExitRefused)
	}
	b, err := bundle.Open(signed)
	if err != nil {
		return exitWith(ExitKernel, fmt.Errorf("reopen the signed bundle: %w", err))
	}
	out := o.Output
	if out == "" {
		out = o.Bundle
	}
	if err := bundle.WriteFile(out, signed); err != nil {
		return exitWith(ExitCantCreate, err)
	}
	m := b.Manifest()
	fmt.Fprintf(o.IO.Out, "signed %s %s: %s\nsigner: %s\ndigest: %s\n", m.Name, m.Version, out, b.Signature().KeyID, b.Digest())
	return nil
}
