package preinit

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestSegmentsOf: the segments rebuild the memory exactly, start and end on non-zero bytes,
// and are joined across gaps shorter than the gap.
func TestSegmentsOf(t *testing.T) {
	mem := make([]byte, 1<<16)
	copy(mem[10:], "abc")
	copy(mem[20:], "de") // 7 zeros after "abc": joined
	copy(mem[100:], "f") // far: its own segment
	mem[len(mem)-1] = 'z'
	segs := segmentsOf(mem)
	want := []segment{{10, []byte("abc\x00\x00\x00\x00\x00\x00\x00de")}, {100, []byte("f")}, {1<<16 - 1, []byte("z")}}
	if len(segs) != len(want) {
		t.Fatalf("%d segments, want %d", len(segs), len(want))
	}
	for i := range want {
		if segs[i].offset != want[i].offset || !bytes.Equal(segs[i].data, want[i].data) {
			t.Errorf("segment %d = %d %q, want %d %q", i, segs[i].offset, segs[i].data, want[i].offset, want[i].data)
		}
	}
	if segs := segmentsOf(make([]byte, 1<<16)); len(segs) != 0 {
		t.Errorf("zero memory gave %d segments", len(segs))
	}
}

// TestSegmentsRebuild: on random sparse memory, writing the segments into zeros gives the
// memory back, and their number stays within maxSegments.
func TestSegmentsRebuild(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	mem := make([]byte, 4<<20)
	for range 200000 {
		mem[r.IntN(len(mem))] = byte(r.IntN(255) + 1)
	}
	segs := segmentsOf(mem)
	if len(segs) > maxSegments {
		t.Errorf("%d segments, more than %d", len(segs), maxSegments)
	}
	got := make([]byte, len(mem))
	for _, s := range segs {
		if s.data[0] == 0 || s.data[len(s.data)-1] == 0 {
			t.Fatalf("segment at %d starts or ends with a zero", s.offset)
		}
		copy(got[s.offset:], s.data)
	}
	if !bytes.Equal(got, mem) {
		t.Error("the segments do not rebuild the memory")
	}
}
