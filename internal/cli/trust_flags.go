package cli

import (
	"errors"
	"fmt"
	"io/fs"
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
	AllowUnsigned    bool
	CacheDir         string

	// keysRequire is set by config when trusted keys alone made signatures required, so
	// hint can say how to accept unsigned bundles anyway.
	keysRequire bool
}

// registerKeys adds --trust-key to fs.
func (f *trustFlags) registerKeys(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.Keys, "trust-key", nil, "trust bundles signed by this key: a public key FILE or a key ID sha256:... (repeatable)")
}

// registerRequire adds --require-signature and --allow-unsigned to fs.
func (f *trustFlags) registerRequire(fs *pflag.FlagSet) {
	fs.BoolVar(&f.RequireSignature, "require-signature", false, "refuse unsigned bundles and plain modules")
	fs.BoolVar(&f.AllowUnsigned, "allow-unsigned", false, "with trusted keys named, still accept unsigned bundles and plain modules")
}

// registerCache adds --cache to fs.
func (f *trustFlags) registerCache(fs *pflag.FlagSet) {
	fs.StringVar(&f.CacheDir, "cache", "", "bundle cache directory (default: the data directory's bundles/)")
}

// config is the trust policy and cache of aios.toml's [trust] and [hub] tables with the flags
// over them: trusted keys add up; a signature is required if either asks for it, or if any
// trusted key is named and neither allows unsigned bundles (an operator who names the keys
// they trust means those signers, and a stripped signature must not get past them); --cache
// wins over hub.cache_dir.
func (f *trustFlags) config(cfg config.Config) (trust bundle.TrustConfig, cacheDir string) {
	trust = bundle.TrustConfig{
		Keys:             append(slices.Clone(cfg.Trust.Keys), f.Keys...),
		RequireSignature: cfg.Trust.RequireSignature || f.RequireSignature,
	}
	if !trust.RequireSignature && len(trust.Keys) > 0 && !cfg.Trust.AllowUnsigned && !f.AllowUnsigned {
		trust.RequireSignature, f.keysRequire = true, true
	}
	cacheDir = f.CacheDir
	if cacheDir == "" {
		cacheDir = cfg.BundleCache()
	}
	return trust, cacheDir
}

// loadConfig reads aios.toml from its default place ($AIOS_CONFIG, else the user's config
// directory) for the commands that have no --config flag.
func loadConfig() (config.Config, error) { return loadConfigFrom("") }

// loadConfigFrom reads aios.toml from path, or from its default place if path is empty. A
// configuration file named (by the flag or $AIOS_CONFIG) that cannot be read is a missing input
// (66); one that is wrong, or names a file that is missing, is a configuration error (78).
func loadConfigFrom(path string) (config.Config, error) {
	cfg, err := config.Load(path)
	if err == nil {
		return cfg, nil
	}
	named := path
	if named == "" {
		named = os.Getenv(config.EnvConfig)
	}
	var pe *fs.PathError
	if named != "" && errors.As(err, &pe) && pe.Path == named {
		return config.Config{}, exitWith(ExitNoInput, err)
	}
	return config.Config{}, exitWith(ExitConfig, err)
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

// hint adds to err what to do about an untrusted signer, or about an unsigned bundle that
// trusted keys refused.
func (f *trustFlags) hint(err error) error {
	var ee *exitError
	if f.keysRequire && errors.Is(err, bundle.ErrUnsigned) && errors.As(err, &ee) {
		return exitWith(ee.code, fmt.Errorf("%w; trusted keys are named, so only bundles they signed run: to accept unsigned ones too, add --allow-unsigned (or allow_unsigned = true in [trust])", ee.err))
	}
	return withTrustHint(err)
}

// withTrustHint adds what to do about an untrusted signer to err.
func withTrustHint(err error) error {
	var ee *exitError
	if errors.Is(err, bundle.ErrUnknownKey) && errors.As(err, &ee) {
		return exitWith(ee.code, fmt.Errorf("%w; to trust it here, pass --trust-key with its public key file or key ID", ee.err))
	}
	return err
}
