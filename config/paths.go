package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultPath returns where aios looks for aios.toml when told nothing:
// $XDG_CONFIG_HOME/aios/aios.toml, or ~/.config/aios/aios.toml. It returns "" when neither
// location can be determined, and Load then uses the defaults.
func DefaultPath() string {
	if dir := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "aios", "aios.toml")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".config", "aios", "aios.toml")
}

// DefaultDataDir returns the data directory used when neither the file nor AIOS_DATA_DIR sets
// one: $XDG_DATA_HOME/aios, or ~/.local/share/aios.
func DefaultDataDir() (string, error) {
	if dir := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "aios"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no default data directory (%w); set %s or data_dir in aios.toml", err, EnvDataDir)
	}
	return filepath.Join(home, ".local", "share", "aios"), nil
}

// expandPath makes p absolute: a leading "~/" is the home directory, and a relative path is
// relative to base (the working directory when base is empty).
func expandPath(p, base string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("expand %q: %w", p, err)
		}
		p = filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	if base == "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("make %q absolute: %w", p, err)
		}
		return abs, nil
	}
	abs, err := filepath.Abs(filepath.Join(base, p))
	if err != nil {
		return "", fmt.Errorf("make %q absolute: %w", p, err)
	}
	return abs, nil
}
