package server

import (
	"slices"
	"sync"
)

// runStore holds the runs: every active one, and the most recent finished ones up to keep
// runs and keepBytes bytes of output and events.
type runStore struct {
	keep, keepBytes int

	mu       sync.Mutex
	byID     map[string]*run
	order    []*run // submission order, for listing
	finished []*run // finish order, for eviction
	bytes    int    // what the finished runs hold
}

func newRunStore(keep, keepBytes int) *runStore {
	return &runStore{keep: keep, keepBytes: keepBytes, byID: map[string]*run{}}
}

func (s *runStore) add(r *run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[r.id] = r
	s.order = append(s.order, r)
}

// get returns tenant's run id; another tenant's run is not found.
func (s *runStore) get(tenant, id string) (*run, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	if !ok || r.tenant != tenant {
		return nil, false
	}
	return r, true
}

// list returns tenant's runs in submission order.
func (s *runStore) list(tenant string) []*run {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*run
	for _, r := range s.order {
		if r.tenant == tenant {
			out = append(out, r)
		}
	}
	return out
}

// markFinished notes that r has ended and forgets the oldest finished runs past the bounds;
// the newest is always kept.
func (s *runStore) markFinished(r *run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished = append(s.finished, r)
	s.bytes += r.held()
	for len(s.finished) > 1 && (len(s.finished) > s.keep || s.bytes > s.keepBytes) {
		old := s.finished[0]
		s.finished = s.finished[1:]
		s.bytes -= old.held()
		delete(s.byID, old.id)
		if i := slices.Index(s.order, old); i >= 0 {
			s.order = slices.Delete(s.order, i, i+1)
		}
	}
}
