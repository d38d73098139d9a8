package dispatch

import (
	"math"
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	t0 := time.Unix(0, 0)
	w := newWindow(100, time.Minute)
	if w.wait(t0, 60) != 0 {
		t.Fatal("an empty window must admit 60 of 100")
	}
	first := w.add(t0, 60)
	w.add(t0.Add(10*time.Second), 30)
	if got := w.wait(t0.Add(20*time.Second), 20); got != 40*time.Second {
		t.Fatalf("wait = %v, want 40s (until the first entry leaves)", got)
	}
	w.correct(first, 10) // it used 10, not the 60 estimated
	if got := w.wait(t0.Add(20*time.Second), 20); got != 0 {
		t.Fatalf("after correction wait = %v, want 0", got)
	}
	if got := w.wait(t0.Add(61*time.Second), 100); got != 9*time.Second {
		t.Fatalf("wait = %v, want 9s (until the second entry leaves)", got)
	}
	if got := w.wait(t0.Add(71*time.Second), 100); got != 0 {
		t.Fatalf("an emptied window must admit its whole limit, wait = %v", got)
	}
}

func TestWindowSaturatesHugeAmounts(t *testing.T) {
	t0 := time.Unix(0, 0)
	w := newWindow(1000, time.Minute)
	if w.wait(t0, math.MaxInt) != time.Minute {
		t.Fatal("math.MaxInt tokens must never fit a 1,000-token window")
	}
	huge := w.add(t0, math.MaxInt)
	w.add(t0.Add(time.Second), math.MaxInt) // the sum would wrap negative
	if got := w.wait(t0.Add(2*time.Second), 1); got != 59*time.Second {
		t.Fatalf("wait = %v, want 59s (until both huge entries leave)", got)
	}
	w.correct(huge, -5) // a negative count is no count, never a credit
	if got := w.wait(t0.Add(2*time.Second), 1); got != 59*time.Second {
		t.Fatalf("after correcting one entry, wait = %v, want 59s", got)
	}
	if got := w.wait(t0.Add(61*time.Second), 1000); got != 0 {
		t.Fatalf("an emptied window must admit its whole limit, wait = %v", got)
	}
	w.add(t0.Add(61*time.Second), -1000)
	if got := w.wait(t0.Add(61*time.Second), 1001); got == 0 {
		t.Fatal("a negative entry made room beyond the limit")
	}
}
