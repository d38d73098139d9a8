package cli

import (
	"os"
	"path/filepath"

	"github.com/aiosys/aios/config"
)

// dataDir is aios's data directory as the environment gives it: $AIOS_DATA_DIR, else the XDG
// default. The bundle cache and the hub keep their files under it unless told otherwise.
func dataDir() (string, error) {
	if dir := os.Getenv(config.EnvDataDir); dir != "" {
		return dir, nil
	}
	dir, err := config.DefaultDataDir()
	if err != nil {
		return "", exitWith(ExitConfig, err)
	}
	return dir, nil
}

// defaultCacheDir is where pulled bundles are kept when nothing says otherwise.
func defaultCacheDir() (string, error) {
	dir, err := dataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "bundles"), nil
}
