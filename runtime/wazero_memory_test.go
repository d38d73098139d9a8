package runtime

import "testing"

func TestLimitedMemory(t *testing.T) {
	a := &memoryLimit{max: 3 * PageSize}
	m := a.Allocate(PageSize, 1<<32)
	b := m.Reallocate(PageSize)
	if len(b) != PageSize {
		t.Fatalf("len = %d", len(b))
	}
	b[10] = 7
	b = m.Reallocate(2 * PageSize)
	if len(b) != 2*PageSize || b[10] != 7 || b[PageSize+1] != 0 {
		t.Fatalf("grow lost data or did not zero: len %d", len(b))
	}
	b[PageSize+1] = 9
	b = m.Reallocate(3 * PageSize)
	if len(b) != 3*PageSize || b[PageSize+1] != 9 || b[2*PageSize] != 0 || cap(b) > 3*PageSize {
		t.Fatalf("grow to the limit: len %d cap %d", len(b), cap(b))
	}
	if a.refused.Load() {
		t.Fatalf("refused set within the limit")
	}
	if b := m.Reallocate(4 * PageSize); b != nil {
		t.Fatalf("grow past the limit gave %d bytes", len(b))
	}
	if !a.refused.Load() {
		t.Fatalf("refused not set by a grow past the limit")
	}
	m.Free()
}

func TestMemoryLimitStopsShortOfFourGiB(t *testing.T) {
	if got := newMemoryLimit(1<<40, nil).max; got != 65535*PageSize {
		t.Fatalf("a 1 TiB limit allows %d bytes on wazero, want 65535 pages", got)
	}
	if got := newMemoryLimit(3*PageSize, nil).max; got != 3*PageSize {
		t.Fatalf("a 3-page limit allows %d bytes", got)
	}
}
