package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrRunning is returned by Remove for a run that has not ended: it may be resumed, and its
// journal is what a resume needs.
var ErrRunning = errors.New("the run has not ended")

// Remove deletes run id's record and journal. A run that has not ended is refused with
// ErrRunning. The run's directory is renamed out of the store's namespace first, so that a
// crash part-way leaves either the whole run or nothing a listing shows.
func (s *Store) Remove(id string) error {
	r, err := s.Run(id)
	if err != nil {
		return err
	}
	if r.Status == Running {
		return fmt.Errorf("remove run %s: %w (status %s)", id, ErrRunning, r.Status)
	}
	return s.remove(id)
}

// remove deletes run id's directory, first renaming it to a name validID refuses.
func (s *Store) remove(id string) error {
	trash := filepath.Join(s.dir, ".removed-"+id)
	if err := os.Rename(s.runDir(id), trash); err != nil {
		return fmt.Errorf("remove run %s: %w", id, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove run %s: %w", id, err)
	}
	return nil
}

// Prune removes every run that ended before cutoff, with its journal, and returns their ids.
// Runs that have not ended are kept whatever their age. It also finishes removals a crash
// interrupted.
func (s *Store) Prune(cutoff time.Time) ([]string, error) {
	s.sweepRemoved()
	runs, err := s.Runs()
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, r := range runs {
		if r.Status == Running || r.Ended.IsZero() || !r.Ended.Before(cutoff) {
			continue
		}
		if err := s.remove(r.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, r.ID)
	}
	return removed, errors.Join(errs...)
}

// sweepRemoved deletes what removals interrupted by a crash left behind.
func (s *Store) sweepRemoved() {
	trash, _ := filepath.Glob(filepath.Join(s.dir, ".removed-*"))
	for _, t := range trash {
		_ = os.RemoveAll(t)
	}
}

// pruneEvery is how often a Store with Options.MaxAge prunes while it is open: often enough
// that no ended run outlives its age by much, rarely enough to cost nothing.
func pruneEvery(maxAge time.Duration) time.Duration {
	return min(max(maxAge/10, time.Minute), time.Hour)
}

// pruneLoop removes runs older than Options.MaxAge at open and then every pruneEvery, until
// the Store is closed.
func (s *Store) pruneLoop() {
	defer close(s.pruned)
	t := time.NewTicker(pruneEvery(s.opts.MaxAge))
	defer t.Stop()
	for {
		_, _ = s.Prune(time.Now().Add(-s.opts.MaxAge))
		select {
		case <-s.stopPrune:
			return
		case <-t.C:
		}
	}
}
