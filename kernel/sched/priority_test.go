package sched

import (
	"slices"
	"testing"
	"time"
)

func prio(name string, p int) *Job { return &Job{Agent: name, Value: name, Priority: p, Estimate: 1} }

func TestPriorityOrder(t *testing.T) {
	c := newFakeClock()
	q := NewPriority(time.Second, c.now)
	q.Push(prio("low", 0))
	q.Push(prio("high1", 5))
	q.Push(prio("mid", 2))
	q.Push(prio("high2", 5))
	if got := drain(q); !slices.Equal(got, []string{"high1", "high2", "mid", "low"}) {
		t.Fatalf("order = %v", got)
	}
}

func TestPriorityAging(t *testing.T) {
	c := newFakeClock()
	q := NewPriority(time.Second, c.now)
	q.Push(prio("old-low", 0))
	c.advance(3 * time.Second) // old-low is now worth priority 3
	q.Push(prio("new-2", 2))
	q.Push(prio("new-4", 4))
	if got := drain(q); !slices.Equal(got, []string{"new-4", "old-low", "new-2"}) {
		t.Fatalf("order = %v", got)
	}
}

// TestPriorityNoStarvation feeds a high-priority job every 100 ms and serves one per 100 ms:
// the low-priority job must still run once it has aged past the newcomers.
func TestPriorityNoStarvation(t *testing.T) {
	c := newFakeClock()
	q := NewPriority(time.Second, c.now)
	q.Push(prio("starved?", 0))
	for step := range 1000 {
		q.Push(prio("hot", 10))
		c.advance(100 * time.Millisecond)
		if j := q.Pop(); j.Value == "starved?" {
			if step > 110 {
				t.Fatalf("low-priority job ran only at step %d", step)
			}
			return
		}
	}
	t.Fatal("low-priority job never ran")
}
