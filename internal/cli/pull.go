package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios/packager/bundle"
)

// PullOptions are `aios pull`'s flags and dependencies.
type PullOptions struct {
	IO       *IOStreams
	Ref      string
	Output   string
	Trust    trustFlags
	Registry registryFlags
}

// NewCmdPull builds `aios pull`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdPull(io *IOStreams, runF func(context.Context, *PullOptions) error) *cobra.Command {
	opts := &PullOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "pull HOST/REPOSITORY[:TAG|@DIGEST]",
		Short: "Fetch a bundle from a hub into the local cache",
		Long: `Fetch a bundle from a hub into the bundle cache (an OCI image layout directory),
checking every blob against its digest, then check its signature against the trusted
keys. Without a tag or digest the highest version is pulled (releases before
prereleases). aios run REF pulls on demand; aios pull fetches ahead of time.
A hub that does not allow anonymous pulls needs an account, given as to aios publish
(--username with --password-stdin, $AIOS_HUB_USER, or aios login).

A signed bundle must be signed by a trusted key (--trust-key); an unsigned one is
accepted unless --require-signature is given.

Exit status: 0 pulled and verified, 65 bundle refused (it stays in the cache but
will not run), 66 no such reference, 69 hub unreachable, 77 access refused.`,
		Example: `  aios pull localhost:5000/agents/summarizer --trust-key alice.pub
  aios pull hub.example.com/agents/summarizer:1.2.0 --require-signature --trust-key sha256:3b1f...
  aios pull localhost:5000/agents/summarizer:1.2.0 -o summarizer.wasm --trust-key alice.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPull(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	opts.Trust.registerKeys(f)
	opts.Trust.registerRequire(f)
	opts.Trust.registerCache(f)
	opts.Registry.register(f)
	f.StringVarP(&opts.Output, "output", "o", "", "also write the verified bundle to this file")
	return cmd
}

func runPull(ctx context.Context, o *PullOptions) error {
	host := refHost(o.Ref)
	if host == "" {
		return exitWith(ExitUsage, fmt.Errorf("reference %q: want HOST/REPOSITORY[:TAG|@DIGEST], e.g. localhost:5000/agents/summarizer", o.Ref))
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	trust, cacheDir := o.Trust.config(cfg)
	t, err := newTrust(trust)
	if err != nil {
		return err
	}
	cache, err := openCache(cacheDir)
	if err != nil {
		return err
	}
	remote, err := o.Registry.remote(host, o.IO.In)
	if err != nil {
		return err
	}
	pulled, err := fetchBundle(ctx, o.IO, cache, remote, o.Ref)
	if err != nil {
		return withLoginHint(err, host)
	}
	pub, err := pulled.Bundle.Verify(t)
	if err != nil {
		return o.Trust.hint(bundleExit(fmt.Errorf("%s: pulled into the cache but refused: %w", pulled.Ref, err), ExitRefused))
	}
	if o.Output != "" {
		if err := bundle.WriteFile(o.Output, pulled.Bundle.Bytes()); err != nil {
			return exitWith(ExitCantCreate, err)
		}
	}
	m := pulled.Bundle.Manifest()
	signer := "(unsigned)"
	if pub.Signed {
		signer = pub.KeyID
	}
	fmt.Fprintf(o.IO.Out, "pulled %s %s from %s\ndigest: %s\nsigner: %s\nbundle: %s\n",
		m.Name, m.Version, pulled.Ref, pulled.Bundle.Digest(), signer, pulled.Path)
	return nil
}
