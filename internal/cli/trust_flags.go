package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/pflag"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/packager/bundle"
)

// trustFlags are the trust policy and cache a command that loads bundles takes from flags, on
// top of aios.toml's [trust] and [hub] tables.
type trustFlags struct {
	Keys             []string
	RequireSignature bool
	CacheDir         string
}

// registerKeys adds --trust-key to fs.
func (f *trustFlags) registerKeys(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.Keys, "trust-key", nil, "trust bundles signed by this key: a public key FILE or a key ID sha256:... (repeatable)")
}

// registerRequire adds --require-signature to fs.
func (f *trustFlags) registerRequire(fs *pflag.FlagSet) {
	fs.BoolVar(&f.RequireSignature, "require-signature", false, "refuse unsigned bundles")
}

// registerCache adds --cache to fs.
func (f *trustFlags) registerCache(fs *pflag.FlagSet) {
	fs.StringVar(&f.CacheDir, "cache", "", "bundle cache directory (default: the data directory's bundles/)")
}

// config is the trust policy and cache of aios.toml's [trust] and [hub] tables with the flags
// over them: trusted keys add up, a signature is required if either asks for it, and --cache
// wins over hub.cache_dir.
func (f *trustFlags) config(cfg config.Config) (trust bundle.TrustConfig, cacheDir string) {
	trust = bundle.TrustConfig{
		Keys:             append(slices.Clone(cfg.Trust.Keys), f.Keys...),
		RequireSignature: cfg.Trust.RequireSignature || f.RequireSignature,
	}
	cacheDir = f.CacheDir
	if cacheDir == "" {
		cacheDir = cfg.BundleCache()
	}
	return trust, cacheDir
}

// loadConfig reads aios.toml from its default place ($AIOS_CONFIG, else the user's config
// directory) for the commands that have no --config flag.
func loadConfig() (config.Config, error) {
	cfg, err := config.Load("")
	if err != nil {
		return config.Config{}, exitWith(ExitConfig, err)
	}
	return cfg, nil
}

// newTrust builds a trust policy; a key that cannot be read is a configuration error.
func newTrust(cfg bundle.TrustConfig) (*bundle.Trust, error) {
	t, err := bundle.NewTrust(cfg)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, bundle.ErrBadKey) {
			return nil, exitWith(ExitConfig, fmt.Errorf("%w (a trusted key is a public key PEM file, as `aios keygen` writes, or a key ID sha256:...)", err))
		}
		return nil, exitWith(ExitConfig, err)
	}
	return t, nil
}

// withTrustHint adds what to do about an untrusted signer to err.
func withTrustHint(err error) error {
	var ee *exitError
	if errors.Is(err, bundle.ErrUnknownKey) && errors.As(err, &ee) {
		return exitWith(ee.code, fmt.Errorf("%w; to trust it here, pass --trust-key with its public key file or key ID", ee.err))
	}
	return err
}
