package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CutBack cuts run id's journal back to its first n records, for a restart that re-executes
// the run from there (docs/DURABLE.md, "Restart policies"). A journal of n records or fewer is
// left as it is. The cut is atomic: the kept records are written to a new file that is renamed
// over the old one, so a crash during it leaves the old journal or the new, never a mix. No
// Writer of the run may be open.
func (s *Store) CutBack(id string, n int) error {
	if n < 0 {
		return fmt.Errorf("cut back run %s: %d records is negative", id, n)
	}
	if err := validID(id); err != nil {
		return err
	}
	path := filepath.Join(s.runDir(id), callsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, rerr := s.Run(id)
		return rerr // no journal: nothing to cut
	}
	if err != nil {
		return fmt.Errorf("cut back run %s: %w", id, err)
	}
	recs, _, err := readFrames(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("cut back run %s: %w", id, err)
	}
	if len(recs) <= n {
		return nil
	}
	var keep int64
	for _, r := range recs[:n] {
		keep += int64(frameHeader + len(r))
	}
	tmp, err := os.CreateTemp(s.runDir(id), callsFile+".*")
	if err != nil {
		return fmt.Errorf("cut back run %s: %w", id, err)
	}
	_, werr := tmp.Write(b[:keep])
	if werr == nil && s.opts.Fsync {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("cut back run %s: %w", id, werr)
	}
	return nil
}
