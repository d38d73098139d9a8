package runtime

import (
	"crypto/sha256"
	"sync"
)

// sameModuleLocks serialise the compiles of one module's bytes in one engine; different
// modules still compile at once.
//
// wazero v1.12.0 publishes a module read from its disk cache to its in-memory table before the
// module's entry preambles are compiled (https://github.com/wazero/wazero/issues/2547). A
// compile of the same bytes at that moment finds the half-made module and an instance of it
// panics in ExportedFunction (index out of range) or faults in a system call. It happens when
// many runs of one module start together after its last compiled copy was closed, e.g. a
// server under load. Serialised, the second compile finds the module complete.
type sameModuleLocks struct {
	mu    sync.Mutex
	locks map[[sha256.Size]byte]*sameModuleLock
}

type sameModuleLock struct {
	sync.Mutex
	users int // compiles holding or waiting for it, under sameModuleLocks.mu
}

// lock waits until no other compile of wasm runs and returns the function that ends this one.
func (s *sameModuleLocks) lock(wasm []byte) (unlock func()) {
	key := sha256.Sum256(wasm)
	s.mu.Lock()
	if s.locks == nil {
		s.locks = map[[sha256.Size]byte]*sameModuleLock{}
	}
	l := s.locks[key]
	if l == nil {
		l = &sameModuleLock{}
		s.locks[key] = l
	}
	l.users++
	s.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		s.mu.Lock()
		if l.users--; l.users == 0 {
			delete(s.locks, key)
		}
		s.mu.Unlock()
	}
}
