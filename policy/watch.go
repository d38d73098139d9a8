package policy

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// fingerprint summarizes the policy files' names, sizes and modification times. An edit that
// keeps both size and modification time (possible only on file systems with coarse timestamps)
// goes unnoticed until the next change or SIGHUP.
type fingerprint [sha256.Size]byte

// fingerprintPaths walks paths as the loader does and hashes what it finds. A path that cannot
// be read counts as its error text, so a file appearing or vanishing changes the fingerprint.
func fingerprintPaths(paths []string) fingerprint {
	h := sha256.New()
	for _, root := range paths {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !isPolicyFile(d.Name()) {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			var b [16]byte
			binary.LittleEndian.PutUint64(b[:8], uint64(info.Size()))
			binary.LittleEndian.PutUint64(b[8:], uint64(info.ModTime().UnixNano()))
			h.Write([]byte(path))
			h.Write(b[:])
			return nil
		})
		if err != nil {
			h.Write([]byte(err.Error()))
		}
	}
	var f fingerprint
	h.Sum(f[:0])
	return f
}

// isPolicyFile reports whether the loader reads a file of this name into the engine.
func isPolicyFile(name string) bool {
	if strings.HasSuffix(name, "_test.rego") {
		return false
	}
	switch filepath.Ext(name) {
	case ".rego", ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// changed reports whether the files differ from the last load attempt.
func (e *Engine) changed() bool {
	now := fingerprintPaths(e.cfg.Paths)
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	return now != e.lastPrint
}

// Watch reloads the policy whenever its files change, checking every Config.PollInterval, until
// ctx is done; it then returns ctx's error. A file set that fails to compile is logged and left
// alone (the previous policy stays in force) until it changes again.
func (e *Engine) Watch(ctx context.Context) error {
	t := time.NewTicker(e.cfg.pollInterval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if e.changed() {
				e.reloadAndLog(ctx, "files changed")
			}
		}
	}
}

// ReloadOnSIGHUP reloads the policy on every SIGHUP the process receives, until ctx is done; it
// then returns ctx's error.
func (e *Engine) ReloadOnSIGHUP(ctx context.Context) error {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	defer signal.Stop(ch)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
			e.reloadAndLog(ctx, "SIGHUP")
		}
	}
}

func (e *Engine) reloadAndLog(ctx context.Context, why string) {
	log := e.cfg.logger()
	if err := e.Reload(ctx); err != nil {
		log.Error("policy not reloaded; the previous policy stays in force", "trigger", why, "err", err)
		return
	}
	log.Info("policy reloaded", "trigger", why)
}
