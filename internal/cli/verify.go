package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// VerifyOptions are `aios verify`'s flags and dependencies.
type VerifyOptions struct {
	IO    *IOStreams
	Ref   string
	Trust trustFlags
}

// NewCmdVerify builds `aios verify`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdVerify(io *IOStreams, runF func(context.Context, *VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "verify BUNDLE.wasm|HOST/REPOSITORY[:TAG] --trust-key KEY...",
		Short: "Check a bundle's signature against trusted keys",
		Long: `Check that a bundle is signed, that the signature covers its module and manifest
exactly as they are, and that the signer is one of the trusted keys. A reference is
pulled into the bundle cache first (hub account from $AIOS_HUB_USER and
$AIOS_HUB_PASSWORD).

Exits 0 when the bundle verifies; 65 when it is unsigned, changed after signing,
or signed by a key that is not trusted; 66 when it cannot be found.`,
		Example: `  aios verify summarizer.wasm --trust-key alice.pub
  aios verify summarizer.wasm --trust-key sha256:3b1f...
  aios verify localhost:5000/agents/summarizer:1.2.0 --trust-key alice.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runVerify(cmd.Context(), opts)
		},
	}
	opts.Trust.registerKeys(cmd.Flags())
	opts.Trust.registerCache(cmd.Flags())
	return cmd
}

func runVerify(ctx context.Context, o *VerifyOptions) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	trust, cacheDir := o.Trust.config(cfg)
	trust.RequireSignature = true // verifying means there must be a signature to check
	a, err := loadAgent(ctx, o.IO, o.Ref, trust, cacheDir)
	if err != nil {
		return withTrustHint(err)
	}
	m := a.Manifest
	fmt.Fprintf(o.IO.Out, "verified %s %s (%s)\nsigner: %s\ndigest: %s\n", m.Name, m.Version, a.Source, a.Publisher.KeyID, a.Digest)
	return nil
}
