package sched

// flowHeap is a min-heap of backlogged flows by (counter with pending estimates, arrival of their head job).
type flowHeap []*flow

func (h flowHeap) Len() int { return len(h) }

func (h flowHeap) Less(a, b int) bool {
	if ca, cb := h[a].counter(), h[b].counter(); ca != cb {
		return ca < cb
	}
	return h[a].jobs[0].seq < h[b].jobs[0].seq
}

func (h flowHeap) Swap(a, b int) {
	h[a], h[b] = h[b], h[a]
	h[a].index, h[b].index = a, b
}

func (h *flowHeap) Push(x any) {
	f := x.(*flow)
	f.index = len(*h)
	*h = append(*h, f)
}

func (h *flowHeap) Pop() any {
	old := *h
	f := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	f.index = -1
	return f
}
