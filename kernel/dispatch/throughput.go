package dispatch

import (
	"math"
	"sync"
	"time"
)

// ThroughputWindow is the span over which Load reports each core's tokens per second.
const ThroughputWindow = 10 * time.Second

// throughputBuckets is how many one-second buckets a throughput keeps: one per second of the
// window.
const throughputBuckets = int(ThroughputWindow / time.Second)

// throughput counts the tokens a core moved (input read and output streamed) in one-second
// buckets over the last ThroughputWindow. It has a mutex of its own, so that counting streamed
// tokens never waits for the scheduler.
type throughput struct {
	mu     sync.Mutex
	tokens [throughputBuckets]int64
	second [throughputBuckets]int64 // the Unix second each bucket counts
	total  int64                    // since the dispatcher started
}

// add counts n tokens moved at now; n of zero or less counts nothing.
func (t *throughput) add(now time.Time, n int) {
	if n <= 0 {
		return
	}
	sec := now.Unix()
	i := int(uint64(sec) % uint64(throughputBuckets))
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.second[i] != sec {
		t.second[i], t.tokens[i] = sec, 0
	}
	t.tokens[i] = saturatingAdd(t.tokens[i], n)
	t.total = saturatingAdd(t.total, n)
}

// saturatingAdd returns a+n, or the largest int64 rather than a wrapped sum.
func saturatingAdd(a int64, n int) int64 {
	if a > math.MaxInt64-int64(n) {
		return math.MaxInt64
	}
	return a + int64(n)
}

// sinceStart returns the tokens moved since the dispatcher started.
func (t *throughput) sinceStart() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// perSecond returns the tokens moved in the window that ends at now, per second.
func (t *throughput) perSecond(now time.Time) float64 {
	sec := now.Unix()
	t.mu.Lock()
	defer t.mu.Unlock()
	var sum float64
	for i, s := range t.second {
		if s > sec-int64(throughputBuckets) && s <= sec {
			sum += float64(t.tokens[i])
		}
	}
	return sum / ThroughputWindow.Seconds()
}
