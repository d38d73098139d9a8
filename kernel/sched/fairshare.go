package sched

import (
	"container/heap"
	"time"
)

// FairShare is weighted fair queueing by tokens of service. Each agent (or tenant) is a flow
// with a virtual counter: the tokens it has received divided by its weight. Pop serves the
// backlogged flow with the smallest counter, each flow's jobs in arrival order.
//
// A flow that was idle is lifted on its next Push to the smallest counter among backlogged
// flows (or, with none, to the counter last served), so idling banks no credit. A popped job
// counts against its flow with its estimate at once, so a flow cannot win several cores in a
// row on a stale counter; Done replaces the estimate with what the job really used. Lifting
// looks only at settled service, never at estimates still pending, which may be far too high.
type FairShare struct {
	flows    map[string]*flow
	active   flowHeap // backlogged flows
	weights  map[string]float64
	byTenant bool
	floor    float64 // the counter most recently served: virtual time when nobody waits
	seq      uint64
	n        int
}

type flow struct {
	name    string
	weight  float64
	vtime   float64 // settled service / weight
	pending float64 // estimates / weight of popped jobs not yet Done
	jobs    jobHeap // by arrival
	index   int     // in FairShare.active, -1 when idle
}

// NewFairShare returns a fair-share queue. weights maps an agent's (or, with byTenant, a
// tenant's) name to its share; missing or non-positive weights count as 1. With byTenant,
// service is counted per tenant, and agents without a tenant count as their own tenant.
func NewFairShare(weights map[string]float64, byTenant bool) *FairShare {
	return &FairShare{flows: map[string]*flow{}, weights: weights, byTenant: byTenant}
}

// Push implements Queue.
func (q *FairShare) Push(j *Job) {
	f := q.flowOf(j)
	q.seq++
	j.seq, j.flow, j.charged = q.seq, f, 0
	if f.index < 0 {
		f.vtime = max(f.vtime, q.virtualTime())
		f.jobs.push(j)
		heap.Push(&q.active, f)
	} else {
		f.jobs.push(j) // a later arrival never becomes the flow's head
	}
	q.n++
}

// Pop implements Queue.
func (q *FairShare) Pop() *Job {
	if len(q.active) == 0 {
		return nil
	}
	f := q.active[0]
	j := f.jobs.pop()
	q.floor = max(q.floor, f.vtime)
	j.charged = j.estimate() / f.weight
	f.pending += j.charged
	q.settle(f)
	q.n--
	return j
}

// Restore implements Queue.
func (q *FairShare) Restore(j *Job) {
	f := j.flow
	f.pending -= j.charged
	j.charged = 0
	f.jobs.push(j)
	if f.index < 0 {
		heap.Push(&q.active, f)
	} else {
		heap.Fix(&q.active, f.index)
	}
	q.n++
}

// Remove implements Queue.
func (q *FairShare) Remove(j *Job) bool {
	f := j.flow
	if f == nil || !f.jobs.remove(j) {
		return false
	}
	q.settle(f)
	q.n--
	return true
}

// Len implements Queue.
func (q *FairShare) Len() int { return q.n }

// Done implements Queue: the flow is charged what the job used instead of its estimate.
func (q *FairShare) Done(j *Job, used int) {
	f := j.flow
	if f == nil {
		return
	}
	f.vtime += float64(max(used, 0)) / f.weight
	f.pending -= j.charged
	j.charged = 0
	if f.index >= 0 {
		heap.Fix(&q.active, f.index)
	}
}

// Slice implements Queue: fair share runs each job to completion.
func (q *FairShare) Slice() time.Duration { return 0 }

// Yields implements Queue: a job that runs to completion never yields.
func (q *FairShare) Yields(_, _ *Job) bool { return false }

// Counter returns the virtual counter of an agent's (or tenant's) flow, pending estimates
// included; zero if unknown.
func (q *FairShare) Counter(name string) float64 {
	if f, ok := q.flows[name]; ok {
		return f.counter()
	}
	return 0
}

func (f *flow) counter() float64 { return f.vtime + f.pending }

func (q *FairShare) flowOf(j *Job) *flow {
	name := j.Agent
	if q.byTenant && j.Tenant != "" {
		name = j.Tenant
	}
	f, ok := q.flows[name]
	if !ok {
		w := q.weights[name]
		if w <= 0 {
			w = 1
		}
		f = &flow{name: name, weight: w, index: -1}
		q.flows[name] = f
	}
	return f
}

// settle re-positions f after its head or counter changed, dropping it when it has no jobs.
func (q *FairShare) settle(f *flow) {
	switch {
	case f.index < 0:
	case len(f.jobs) == 0:
		heap.Remove(&q.active, f.index)
	default:
		heap.Fix(&q.active, f.index)
	}
}

// virtualTime is the least settled counter among backlogged flows, or the floor when none is.
// It scans the backlogged flows; it runs only when an idle flow becomes backlogged.
func (q *FairShare) virtualTime() float64 {
	if len(q.active) == 0 {
		return q.floor
	}
	v := q.active[0].vtime
	for _, f := range q.active[1:] {
		v = min(v, f.vtime)
	}
	return v
}
