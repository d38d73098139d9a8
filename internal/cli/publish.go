package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"oras.land/oras-go/v2/registry"

	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/packager/oci"
)

// PublishOptions are `aios publish`'s flags and dependencies.
type PublishOptions struct {
	IO       *IOStreams
	Bundle   string
	Ref      string
	Registry registryFlags
}

// NewCmdPublish builds `aios publish`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdPublish(io *IOStreams, runF func(context.Context, *PublishOptions) error) *cobra.Command {
	opts := &PublishOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "publish BUNDLE.wasm HOST/REPOSITORY[:TAG]",
		Short: "Push a bundle to a hub",
		Long: `Push a bundle to a hub (any OCI registry; aios hub serve runs one) as a wasm OCI
artifact. Without a tag the bundle's version is the tag. Blobs the hub already has are
not sent again. A bundle whose signature no longer matches its content is refused.

Pushing needs an account: --username with --password-stdin, else $AIOS_HUB_USER and
$AIOS_HUB_PASSWORD, else the login aios login saved for the host. Loopback hosts are
reached over plain HTTP, others over HTTPS, unless --plain-http says otherwise.

Exit status: 0 published, 65 bundle refused, 66 file not found, 69 hub unreachable,
77 the hub refused the credentials.`,
		Example: `  echo "$PASSWORD" | aios publish summarizer.wasm localhost:5000/agents/summarizer -u alice --password-stdin
  AIOS_HUB_USER=alice AIOS_HUB_PASSWORD=... aios publish summarizer.wasm hub.example.com/agents/summarizer:latest`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Bundle, opts.Ref = args[0], args[1]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPublish(cmd.Context(), opts)
		},
	}
	opts.Registry.register(cmd.Flags())
	return cmd
}

// refRepository is ref without its tag or digest: "HOST/REPOSITORY".
func refRepository(ref string) string {
	r, err := registry.ParseReference(ref)
	if err != nil {
		return ref
	}
	return r.Registry + "/" + r.Repository
}

func runPublish(ctx context.Context, o *PublishOptions) error {
	host := refHost(o.Ref)
	if host == "" {
		return exitWith(ExitUsage, fmt.Errorf("reference %q: want HOST/REPOSITORY[:TAG], e.g. localhost:5000/agents/summarizer", o.Ref))
	}
	b, err := bundle.ReadFile(o.Bundle)
	if err != nil {
		return bundleExit(err, ExitRefused)
	}
	m := b.Manifest()
	if sig := b.Signature(); sig != nil {
		// The signer need not be trusted here; the signature must still match the content.
		var self bundle.Trust
		self.AddKey(sig.PublicKey)
		if _, err := b.Verify(&self); err != nil {
			return bundleExit(fmt.Errorf("%s: will not publish: %w (sign it again with aios sign)", o.Bundle, err), ExitRefused)
		}
	} else {
		fmt.Fprintf(o.IO.ErrOut, "aios: note: %s is unsigned; sign it with aios sign so others can verify it\n", o.Bundle)
	}
	remote, err := o.Registry.remote(host, o.IO.In)
	if err != nil {
		return err
	}
	var opts oci.PublishOptions
	if IsTerminal(o.IO.ErrOut) {
		opts.Progress = oci.Bar(o.IO.ErrOut)
	}
	pub, err := remote.Publish(ctx, b, o.Ref, opts)
	if err != nil {
		return withLoginHint(bundleExit(err, ExitUnavailable), host)
	}
	// Two digests name two things: the bundle file (what pack, inspect, verify and pull show)
	// and the OCI manifest that wraps it on the hub (what REPOSITORY@DIGEST names).
	fmt.Fprintf(o.IO.Out, "published %s %s to %s\nbundle digest:   %s (the bundle file, as aios pack, inspect and pull show it)\nmanifest digest: %s (the OCI manifest on the hub: %s@%s names this upload)\n",
		m.Name, m.Version, pub.Ref, b.Digest(), pub.Digest, refRepository(pub.Ref), pub.Digest)
	return nil
}
