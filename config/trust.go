package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Trust is the [trust] table: whose bundles aios runs.
type Trust struct {
	// Keys are the trusted signers: public key PEM files (relative paths are taken from the
	// configuration file's directory) or key IDs "sha256:...".
	Keys []string
	// RequireSignature refuses unsigned bundles and plain modules.
	RequireSignature bool
	// AllowUnsigned accepts unsigned bundles and plain modules even though Keys names trusted
	// signers; without it, naming a key means only bundles signed by a trusted key run.
	// RequireSignature wins over it.
	AllowUnsigned bool
}

// Hub is the [hub] table: where bundles come from.
type Hub struct {
	// Default is the hub `aios search` asks when given none ($AIOS_HUB overrides it).
	Default string
	// CacheDir holds pulled bundles (an OCI image layout). Default: the data directory's
	// bundles/.
	CacheDir string
}

type fileTrust struct {
	Keys             []string `toml:"keys"`
	RequireSignature bool     `toml:"require_signature"`
	AllowUnsigned    bool     `toml:"allow_unsigned"`
}

type fileHub struct {
	Default  string `toml:"default"`
	CacheDir string `toml:"cache_dir"`
}

func (f fileTrust) trust(base string) (Trust, error) {
	t := Trust{RequireSignature: f.RequireSignature, AllowUnsigned: f.AllowUnsigned}
	for _, k := range f.Keys {
		if strings.HasPrefix(k, "sha256:") {
			t.Keys = append(t.Keys, k)
			continue
		}
		p, err := expandPath(k, base)
		if err != nil {
			return Trust{}, fmt.Errorf("trust.keys %q: %w", k, err)
		}
		t.Keys = append(t.Keys, p)
	}
	return t, nil
}

func (f fileHub) hub(base string) (Hub, error) {
	h := Hub{Default: f.Default}
	if f.CacheDir != "" {
		p, err := expandPath(f.CacheDir, base)
		if err != nil {
			return Hub{}, fmt.Errorf("hub.cache_dir: %w", err)
		}
		h.CacheDir = p
	}
	return h, nil
}

// BundleCache is where pulled bundles are kept: hub.cache_dir, else the data directory's
// bundles/.
func (c Config) BundleCache() string {
	if c.Hub.CacheDir != "" {
		return c.Hub.CacheDir
	}
	if c.DataDir == "" {
		return ""
	}
	return filepath.Join(c.DataDir, "bundles")
}
