package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// VerifyOptions are `aios verify`'s flags and dependencies.
type VerifyOptions struct {
	IO    *IOStreams
	Ref   string
	Trust trustFlags
	JSON  bool
}

// verifyResult is `aios verify --json`'s verdict; the form is stable for scripts.
type verifyResult struct {
	Verified bool   `json:"verified"`
	Bundle   string `json:"bundle"` // the file, or the reference it was pulled as
	Name     string `json:"name,omitempty"`
	Version  string `json:"version,omitempty"`
	Signer   string `json:"signer,omitempty"` // the signing key's ID
	Digest   string `json:"digest,omitempty"` // the bundle file's digest
	// ManifestDigest is the OCI manifest's digest, for a bundle pulled from a hub.
	ManifestDigest string `json:"manifest_digest,omitempty"`
	Error          string `json:"error,omitempty"` // why it did not verify
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
or signed by a key that is not trusted; 66 when it cannot be found. --json prints
the verdict, signer and digests as JSON, with "verified": false and the reason
when it does not verify.`,
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
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the verdict as JSON (also when the bundle does not verify)")
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
		err = withTrustHint(err)
		if o.JSON {
			var ee *exitError
			msg := err.Error()
			if errors.As(err, &ee) && ee.err != nil {
				msg = ee.err.Error()
			}
			if jerr := writeJSON(o.IO.Out, verifyResult{Bundle: o.Ref, Error: msg}); jerr != nil {
				return jerr
			}
		}
		return err
	}
	m := a.Manifest
	if o.JSON {
		return writeJSON(o.IO.Out, verifyResult{Verified: true, Bundle: a.Source, Name: m.Name, Version: m.Version,
			Signer: a.Publisher.KeyID, Digest: a.Digest, ManifestDigest: a.RefDigest})
	}
	fmt.Fprintf(o.IO.Out, "verified %s %s (%s)\nsigner: %s\ndigest: %s\n", m.Name, m.Version, a.Source, a.Publisher.KeyID, a.Digest)
	return nil
}

// writeJSON writes v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return exitWith(ExitKernel, fmt.Errorf("write JSON: %w", err))
	}
	return nil
}
