package sched

import "container/heap"

// jobHeap is a min-heap of jobs by (key, seq); it keeps each job's index for Remove.
type jobHeap []*Job

func (h jobHeap) Len() int { return len(h) }

func (h jobHeap) Less(a, b int) bool {
	if h[a].key != h[b].key {
		return h[a].key < h[b].key
	}
	return h[a].seq < h[b].seq
}

func (h jobHeap) Swap(a, b int) {
	h[a], h[b] = h[b], h[a]
	h[a].index, h[b].index = a, b
}

func (h *jobHeap) Push(x any) {
	j := x.(*Job)
	j.index = len(*h)
	*h = append(*h, j)
}

func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	j.index = -1
	return j
}

func (h *jobHeap) push(j *Job) { heap.Push(h, j) }

func (h *jobHeap) pop() *Job {
	if len(*h) == 0 {
		return nil
	}
	return heap.Pop(h).(*Job)
}

func (h *jobHeap) remove(j *Job) bool {
	if j.index < 0 || j.index >= len(*h) || (*h)[j.index] != j {
		return false
	}
	heap.Remove(h, j.index)
	return true
}
