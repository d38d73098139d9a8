package dispatch

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/kernel/sched"
)

// TestPriorityPreemptionAndCancelWhileQueued: a high-priority job preempts a low one at its
// slice end and is not preempted back by it; cancelling the low job while it waits to resume
// releases its reservation, which stayed held across the preemption.
func TestPriorityPreemptionAndCancelWhileQueued(t *testing.T) {
	const slice = 10 * time.Millisecond
	tp := &typist{pace: 2 * time.Millisecond, words: answerWords, gate: make(chan struct{}), gated: "hi"}
	q, err := sched.New(sched.KindPriority, sched.Options{Slice: slice, Aging: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	l := quota.NewLedger()
	d, err := New([]Backend{{Core: tp, Capacity: 1}}, Options{Queue: q, Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	loCtx, cancelLo := context.WithCancel(WithCaller(context.Background(), Caller{Agent: "lo"}))
	defer cancelLo()
	lo := start(&wg, d, loCtx, typed("lo", 1000))
	waitFor(t, "lo runs", func() bool { return tp.callsOf("lo") == 1 })
	hi := start(&wg, d, WithCaller(context.Background(), Caller{Agent: "hi", Priority: 5}), typed("hi", 1000))
	waitFor(t, "hi preempts lo", func() bool { return tp.callsOf("hi") == 1 })
	waitQueued(t, d, 1)
	held := l.Balance(quota.Agent, "lo").Reserved
	if held.Tokens == 0 {
		t.Fatal("the preempted job's reservation must stay held while it waits to resume")
	}
	// hi is held at its gate for several slices with lo waiting: lo, of lower priority, must
	// not get the core back.
	time.Sleep(5 * slice)
	if n := tp.callsOf("lo"); n != 1 {
		t.Fatalf("lo ran %d pieces while a higher-priority job held the core", n)
	}

	cancelLo()
	waitFor(t, "lo's caller returns", func() bool { return l.Balance(quota.Agent, "lo").Reserved.Tokens == 0 })
	waitQueued(t, d, 0)
	close(tp.gate)
	wg.Wait()
	if !errors.Is(lo.err, context.Canceled) {
		t.Fatalf("lo: err = %v, want canceled", lo.err)
	}
	if b := l.Balance(quota.Agent, "lo"); b.Used != (quota.Amount{}) || b.Reserved != (quota.Amount{}) {
		t.Fatalf("lo's balance %+v: a cancelled generation holds and is charged nothing", b)
	}
	if hi.err != nil || hi.resp.Text != typedAnswer("hi", answerWords) {
		t.Fatalf("hi: %q, %v", hi.resp.Text, hi.err)
	}
	if n, o := tp.callsOf("hi"), d.Overhead(); n != 1 || o.Preemptions != 1 {
		t.Fatalf("hi ran in %d pieces, overhead %+v; want 1 piece and the 1 preemption of lo", n, o)
	}
}
