package sched

import (
	"slices"
	"testing"
	"time"
)

func sized(name string, est int) *Job { return &Job{Agent: name, Value: name, Estimate: est} }

func TestSJFOrder(t *testing.T) {
	c := newFakeClock()
	q := NewSJF(time.Second, 100, c.now)
	q.Push(sized("big", 5000))
	q.Push(sized("small", 10))
	q.Push(sized("mid", 300))
	q.Push(sized("small2", 10))
	if got := drain(q); !slices.Equal(got, []string{"small", "small2", "mid", "big"}) {
		t.Fatalf("order = %v", got)
	}
}

func TestSJFNoStarvation(t *testing.T) {
	c := newFakeClock()
	q := NewSJF(time.Second, 100, c.now)
	q.Push(sized("big", 2000))
	for step := range 1000 {
		q.Push(sized("tiny", 1))
		c.advance(time.Second)
		if j := q.Pop(); j.Value == "big" {
			// After 20 s the big job's 2000 tokens have aged to the level of a fresh tiny job.
			if step > 21 {
				t.Fatalf("big job ran only at step %d", step)
			}
			return
		}
	}
	t.Fatal("big job never ran")
}
