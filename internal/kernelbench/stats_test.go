package kernelbench

import (
	"math"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := Percentile(ds, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("Percentile sorted its argument in place")
	}
	if Percentile(nil, 50) != 0 || Mean(nil) != 0 {
		t.Error("no samples should give zero")
	}
}

func TestMean(t *testing.T) {
	if got := Mean([]time.Duration{time.Second, 3 * time.Second}); got != 2*time.Second {
		t.Errorf("mean = %v, want 2s", got)
	}
}

func TestJain(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{5, 5, 5, 5}, 1},
		{[]float64{8, 0, 0, 0}, 0.25},
		{[]float64{1, 3}, 16.0 / 20},
		{[]float64{0, 0}, 1},
	} {
		if got := Jain(c.xs); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Jain(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
}

func TestSpread(t *testing.T) {
	if got := Spread([]float64{3, -1, 7}); got != 8 {
		t.Errorf("spread = %v, want 8", got)
	}
	if Spread(nil) != 0 {
		t.Error("spread of nothing should be zero")
	}
}
