package dispatch

import (
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
