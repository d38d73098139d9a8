package kernelbench

import (
	"math"
	"testing"
	"time"
)

func TestTimelineSpreadsServiceOverStreaming(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tl := NewTimeline(t0)
	tl.Add("a", at(500), at(1500), 100)    // half in window 0, half in window 1
	tl.Add("b", time.Time{}, at(1200), 40) // streamed nothing: all at its end, window 1
	tl.Add("a", at(2500), at(3500), 60)    // past the last window: half counted
	tl.Add("ghost", at(0), at(100), 99)    // not asked for
	w := tl.Windows([]string{"a", "b"}, time.Second, 3*time.Second)
	want := [][]float64{{50, 0}, {50, 40}, {30, 0}}
	if len(w) != len(want) {
		t.Fatalf("%d windows, want %d", len(w), len(want))
	}
	for i := range want {
		for a := range want[i] {
			if math.Abs(w[i][a]-want[i][a]) > 1e-9 {
				t.Errorf("window %d agent %d: %v, want %v", i, a, w[i][a], want[i][a])
			}
		}
	}
}
