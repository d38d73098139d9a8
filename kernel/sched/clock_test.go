package sched

import "time"

// fakeClock is a manual clock for aging tests.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// names pops every job and returns their Value strings in order.
func drain(q Queue) []string {
	var out []string
	for j := q.Pop(); j != nil; j = q.Pop() {
		out = append(out, j.Value.(string))
	}
	return out
}

func job(name string) *Job { return &Job{Agent: name, Value: name, Estimate: 1} }
