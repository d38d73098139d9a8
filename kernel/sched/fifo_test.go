package sched

import (
	"slices"
	"testing"
	"time"
)

func TestFIFOOrder(t *testing.T) {
	q := NewFIFO()
	for _, n := range []string{"a", "b", "c", "d"} {
		q.Push(job(n))
	}
	if q.Len() != 4 {
		t.Fatalf("Len = %d, want 4", q.Len())
	}
	if got := drain(q); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("order = %v", got)
	}
	if q.Pop() != nil || q.Slice() != 0 {
		t.Fatal("empty FIFO must pop nil and have no slice")
	}
}

func TestFIFORemoveAndRestore(t *testing.T) {
	q := NewFIFO()
	a, b, c := job("a"), job("b"), job("c")
	q.Push(a)
	q.Push(b)
	q.Push(c)
	if !q.Remove(b) || q.Remove(b) {
		t.Fatal("Remove must succeed once")
	}
	first := q.Pop()
	q.Restore(first)
	if got := drain(q); !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("order after remove/restore = %v", got)
	}
}

func TestRoundRobinPreemptedJobRejoinsAtTail(t *testing.T) {
	q := NewRoundRobin(50 * time.Millisecond)
	if q.Slice() != 50*time.Millisecond {
		t.Fatalf("Slice = %v", q.Slice())
	}
	a := job("a")
	q.Push(a)
	q.Push(job("b"))
	if q.Pop() != a {
		t.Fatal("a must run first")
	}
	q.Push(job("c"))
	q.Push(a) // a's slice ended
	if got := drain(q); !slices.Equal(got, []string{"b", "c", "a"}) {
		t.Fatalf("order = %v", got)
	}
	if NewRoundRobin(0).Slice() != DefaultSlice {
		t.Fatal("zero slice must take the default")
	}
}
