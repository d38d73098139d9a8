package sched

import "time"

// keyed is a queue ordered by a key computed once at Push. Because every policy here ages a
// job linearly with its waiting time, comparing two jobs at any later moment gives the same
// answer as comparing their keys, so a plain heap suffices.
type keyed struct {
	h     jobHeap
	seq   uint64
	now   func() time.Time
	slice time.Duration
	keyOf func(j *Job) float64
}

func (q *keyed) Push(j *Job) {
	q.seq++
	j.seq = q.seq
	j.enq = q.now()
	j.key = q.keyOf(j)
	q.h.push(j)
}

func (q *keyed) Pop() *Job            { return q.h.pop() }
func (q *keyed) Restore(j *Job)       { q.h.push(j) }
func (q *keyed) Remove(j *Job) bool   { return q.h.remove(j) }
func (q *keyed) Len() int             { return len(q.h) }
func (q *keyed) Done(*Job, int)       {}
func (q *keyed) Slice() time.Duration { return q.slice }

// Yields implements Queue: running, pushed again now, would get a fresh key and a later
// arrival than waiting, so waiting goes first unless its key is larger.
func (q *keyed) Yields(running, waiting *Job) bool {
	again := *running
	again.enq = q.now()
	return waiting.key <= q.keyOf(&again)
}
