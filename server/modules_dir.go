package server

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/aiosys/aios/packager/bundle"
)

// readModuleFile reads the module file path names under ModulesDir. The path must be relative
// and stay inside the directory, symbolic links included (os.Root enforces it).
func (s *Server) readModuleFile(path string) ([]byte, int, error) {
	if s.opts.ModulesDir == "" {
		return nil, http.StatusBadRequest, errors.New("path: this server runs only uploaded modules (it has no --modules-dir)")
	}
	if filepath.IsAbs(path) || !filepath.IsLocal(path) {
		return nil, http.StatusBadRequest, fmt.Errorf("path %s: name a file inside the modules directory, relative to it", quote(path))
	}
	root, err := os.OpenRoot(s.opts.ModulesDir)
	if err != nil {
		return nil, http.StatusInternalServerError, fmt.Errorf("modules directory: %w", err)
	}
	defer root.Close()
	f, err := root.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, http.StatusBadRequest, fmt.Errorf("path %s: no such file in the modules directory", quote(path))
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is quoted already, shortened
		}
		return nil, http.StatusBadRequest, fmt.Errorf("path %s: %w", quote(path), err)
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, http.StatusBadRequest, fmt.Errorf("path %s: not a regular file", quote(path))
	}
	raw, err := io.ReadAll(io.LimitReader(f, bundle.MaxBundleSize+1))
	if err != nil {
		return nil, http.StatusInternalServerError, fmt.Errorf("path %s: %w", quote(path), err)
	}
	if len(raw) > bundle.MaxBundleSize {
		return nil, http.StatusBadRequest, fmt.Errorf("path %s: larger than %d bytes", quote(path), bundle.MaxBundleSize)
	}
	return raw, 0, nil
}
