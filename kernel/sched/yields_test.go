package sched

import (
	"testing"
	"time"
)

func TestRoundRobinRunningJobAlwaysYields(t *testing.T) {
	q := NewRoundRobin(10 * time.Millisecond)
	running := job("running")
	q.Push(running)
	q.Pop()
	waiting := job("waiting")
	q.Push(waiting)
	if !q.Yields(running, waiting) {
		t.Fatal("under round-robin a job whose slice ended must yield to any waiting job")
	}
}

func TestPriorityYieldsOnlyToHigherEffectivePriority(t *testing.T) {
	c := newFakeClock()
	q, err := New(KindPriority, Options{Slice: 50 * time.Millisecond, Aging: time.Second, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	if q.Slice() != 50*time.Millisecond {
		t.Fatalf("Slice = %v, want the configured 50ms", q.Slice())
	}
	running := prio("running", 5)
	q.Push(running)
	q.Pop()
	low, high := prio("low", 2), prio("high", 7)
	q.Push(low)
	q.Push(high)
	if q.Yields(running, low) {
		t.Fatal("a priority-5 job yielded to a fresh priority-2 one")
	}
	if !q.Yields(running, high) {
		t.Fatal("a priority-5 job did not yield to a priority-7 one")
	}
	c.advance(3*time.Second + time.Millisecond) // low has aged past 5
	if !q.Yields(running, low) {
		t.Fatal("a job aged past the running one's priority must be yielded to: no starvation")
	}
}

func TestPriorityEqualsShareSlices(t *testing.T) {
	c := newFakeClock()
	q := newPriority(time.Second, time.Millisecond, c.now)
	running := prio("running", 3)
	q.Push(running)
	q.Pop()
	peer := prio("peer", 3)
	q.Push(peer)
	c.advance(time.Millisecond)
	if !q.Yields(running, peer) {
		t.Fatal("a waiting job of equal priority has aged past the running one and must get a slice")
	}
}

func TestFairShareNeverYields(t *testing.T) {
	q := NewFairShare(nil, false)
	a, b := job("a"), job("b")
	q.Push(a)
	q.Pop()
	q.Push(b)
	if q.Yields(a, b) || q.Slice() != 0 {
		t.Fatal("fair share runs jobs to completion")
	}
}
