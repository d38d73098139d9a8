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

// Remove deletes run id's record and journal, with those of its children (agent_spawn), theirs,
// and so on. A run that has not ended is refused with ErrRunning, and so is a child whose
// parent has not ended (a resume of the parent brings its children back), or a run with a child
// that has not ended. The run's directory is renamed out of the store's namespace first, so that
// a crash part-way leaves either the whole run or nothing a listing shows.
func (s *Store) Remove(id string) error {
	r, err := s.Run(id)
	if err != nil {
		return err
	}
	if r.Status == Running {
		return fmt.Errorf("remove run %s: %w (status %s)", id, ErrRunning, r.Status)
	}
	if r.Parent != "" {
		if p, err := s.Run(r.Parent); err == nil && p.Status == Running {
			return fmt.Errorf("remove run %s: %w: its parent %s has not, and may resume it", id, ErrRunning, r.Parent)
		}
	}
	runs, err := s.Runs()
	if err != nil {
		return err
	}
	tree := family(runs)[id]
	for _, c := range tree {
		if c.Status == Running {
			return fmt.Errorf("remove run %s: %w: its child %s has not", id, ErrRunning, c.ID)
		}
	}
	for _, c := range tree {
		if err := s.remove(c.ID); err != nil {
			return err
		}
	}
	return s.remove(id)
}

// family maps each run id of runs to its descendants (children, their children, ...), deepest
// last.
func family(runs []Run) map[string][]Run {
	children := map[string][]Run{}
	for _, r := range runs {
		if r.Parent != "" {
			children[r.Parent] = append(children[r.Parent], r)
		}
	}
	out := make(map[string][]Run, len(runs))
	for _, r := range runs {
		var all []Run
		queue := children[r.ID]
		seen := map[string]bool{r.ID: true}
		for len(queue) > 0 {
			c := queue[0]
			queue = queue[1:]
			if seen[c.ID] { // a record naming itself as an ancestor: never loop
				continue
			}
			seen[c.ID] = true
			all = append(all, c)
			queue = append(queue, children[c.ID]...)
		}
		out[r.ID] = all
	}
	return out
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

// Prune removes every run that ended before cutoff, with its journal, and returns their ids. A
// child run goes with its parent, never on its own, and a run with a child that has not ended
// is kept; runs that have not ended are kept whatever their age. It also finishes removals a
// crash interrupted.
func (s *Store) Prune(cutoff time.Time) ([]string, error) {
	s.sweepRemoved()
	runs, err := s.Runs()
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(runs))
	for _, r := range runs {
		ids[r.ID] = true
	}
	tree := family(runs)
	var removed []string
	var errs []error
outer:
	for _, r := range runs {
		if r.Parent != "" && r.Parent != r.ID && ids[r.Parent] {
			continue // goes with its parent
		}
		if r.Status == Running || r.Ended.IsZero() || !r.Ended.Before(cutoff) {
			continue
		}
		for _, c := range tree[r.ID] {
			if c.Status == Running {
				continue outer
			}
		}
		for _, c := range append(tree[r.ID], r) {
			if err := s.remove(c.ID); err != nil {
				errs = append(errs, err)
				continue outer
			}
			removed = append(removed, c.ID)
		}
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
