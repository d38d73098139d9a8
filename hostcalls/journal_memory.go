package hostcalls

import (
	"bytes"
	"crypto/sha256"
	"hash"
)

// recordingMemory is a guest's Memory as a journaled call sees it while it is recorded: reads
// are hashed (the request) and, with keep, kept; writes are kept (the effect).
type recordingMemory struct {
	Memory
	h      hash.Hash
	reads  []Span
	keep   bool
	kept   [][]byte
	writes []Write
}

func newRecordingMemory(mem Memory, keep bool) *recordingMemory {
	return &recordingMemory{Memory: mem, h: sha256.New(), keep: keep}
}

// Read implements Memory.
func (m *recordingMemory) Read(off, n uint32) ([]byte, bool) {
	b, ok := m.Memory.Read(off, n)
	if ok {
		m.reads = append(m.reads, Span{Off: off, Len: n})
		m.h.Write(b)
		if m.keep {
			m.kept = append(m.kept, bytes.Clone(b))
		}
	}
	return b, ok
}

// Write implements Memory.
func (m *recordingMemory) Write(off uint32, b []byte) bool {
	if !m.Memory.Write(off, b) {
		return false
	}
	m.writes = append(m.writes, Write{Off: off, Data: bytes.Clone(b)})
	return true
}

func (m *recordingMemory) sum() []byte {
	if len(m.reads) == 0 {
		return nil
	}
	return m.h.Sum(nil)
}
