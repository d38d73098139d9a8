package dispatch

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/kernel/sched"
)

const answerWords = 40

// uninterrupted returns what a generation of req gives when nothing preempts it.
func uninterrupted(t *testing.T, req llm.Request) llm.Response {
	t.Helper()
	d, err := New([]Backend{{Core: &typist{words: answerWords}}}, Options{Queue: sched.NewFIFO()})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.Generate(as("ref"), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// outcome is what one generation returned and streamed.
type outcome struct {
	resp     llm.Response
	err      error
	streamed strings.Builder
}

// start runs a generation in the background; wait for wg before reading the outcome.
func start(wg *sync.WaitGroup, d *Dispatcher, ctx context.Context, req llm.Request) *outcome {
	o := &outcome{}
	wg.Go(func() {
		o.resp, o.err = d.Generate(ctx, req, func(c llm.Chunk) { o.streamed.WriteString(c.Text) })
	})
	return o
}

// waitFor polls cond until it holds, failing the test after a while.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

// TestPreemptedGenerationEqualsUninterrupted runs two long generations on a one-slot core under
// round-robin: each is preempted several times, yet returns and streams exactly the text of an
// uninterrupted generation (also when max_tokens cuts it), and is charged its usage once.
func TestPreemptedGenerationEqualsUninterrupted(t *testing.T) {
	reqA, reqB := typed("a", 1000), typed("b", 30)
	refA, refB := uninterrupted(t, reqA), uninterrupted(t, reqB)
	if refB.FinishReason != "length" || words(refB.Text) != 30 {
		t.Fatalf("reference for b: %+v; want 30 words cut at the length limit", refB)
	}
	tp := &typist{pace: 2 * time.Millisecond, words: answerWords}
	l := quota.NewLedger()
	b := Backend{Core: tp, Capacity: 1, PriceIn: quota.Dollars(1), PriceOut: quota.Dollars(3)}
	d, err := New([]Backend{b}, Options{Queue: sched.NewRoundRobin(10 * time.Millisecond), Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	a := start(&wg, d, as("a"), reqA)
	waitFor(t, "a runs", func() bool { return tp.callsOf("a") == 1 })
	bo := start(&wg, d, as("b"), reqB)
	wg.Wait()

	for _, tc := range []struct {
		name string
		got  *outcome
		ref  llm.Response
	}{{"a", a, refA}, {"b", bo, refB}} {
		if tc.got.err != nil {
			t.Fatalf("%s: %v", tc.name, tc.got.err)
		}
		r := tc.got.resp
		if r.Text != tc.ref.Text || tc.got.streamed.String() != tc.ref.Text {
			t.Errorf("%s: text %q, streamed %q; want %q", tc.name, r.Text, tc.got.streamed.String(), tc.ref.Text)
		}
		if r.Usage != tc.ref.Usage || r.FinishReason != tc.ref.FinishReason {
			t.Errorf("%s: usage %+v, finish %q; want %+v, %q", tc.name, r.Usage, r.FinishReason, tc.ref.Usage, tc.ref.FinishReason)
		}
		if n := tp.callsOf(tc.name); n < 3 {
			t.Errorf("%s ran in %d pieces; want it preempted at least twice", tc.name, n)
		}
		bal := l.Balance(quota.Agent, tc.name)
		want := quota.Amount{Tokens: int64(tc.ref.Usage.InputTokens + tc.ref.Usage.OutputTokens), Money: d.cores[0].cost(tc.ref.Usage)}
		if bal.Used != want || bal.Reserved != (quota.Amount{}) {
			t.Errorf("%s: balance %+v; want %+v used once and nothing held", tc.name, bal, want)
		}
	}
	o := d.Overhead()
	pieces := len(tp.callLog())
	if o.Preemptions < 4 || o.Resumes != int64(pieces-2) || o.Tokens <= 0 {
		t.Errorf("overhead %+v after %d pieces; want ≥ 4 preemptions, %d resumes and some tokens", o, pieces, pieces-2)
	}
}

// TestRoundRobinAlternatesSlices: two agents sharing one slot take turns, slice by slice, and
// both finish.
func TestRoundRobinAlternatesSlices(t *testing.T) {
	tp := &typist{pace: 2 * time.Millisecond, words: answerWords}
	d, err := New([]Backend{{Core: tp, Capacity: 1}}, Options{Queue: sched.NewRoundRobin(8 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	x := start(&wg, d, as("x"), typed("x", 1000))
	waitFor(t, "x runs", func() bool { return tp.callsOf("x") == 1 })
	y := start(&wg, d, as("y"), typed("y", 1000))
	wg.Wait()
	if x.err != nil || y.err != nil {
		t.Fatalf("errors: %v, %v", x.err, y.err)
	}
	if x.resp.Text != typedAnswer("x", answerWords) || y.resp.Text != typedAnswer("y", answerWords) {
		t.Fatalf("texts %q and %q", x.resp.Text, y.resp.Text)
	}
	log := tp.callLog()
	if len(log) < 6 {
		t.Fatalf("pieces %v: want several slices each", log)
	}
	for i := 1; i < len(log); i++ {
		if log[i] == log[i-1] {
			t.Fatalf("pieces %v: %s ran twice in a row while the other waited", log, log[i])
		}
	}
}

// TestNoPreemptionWhenNothingWaits: a lone generation keeps its core past any number of
// slices.
func TestNoPreemptionWhenNothingWaits(t *testing.T) {
	tp := &typist{pace: 2 * time.Millisecond, words: answerWords}
	d, err := New([]Backend{{Core: tp, Capacity: 1}}, Options{Queue: sched.NewRoundRobin(5 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.Generate(as("solo"), typed("solo", 1000), nil)
	if err != nil || resp.Text != typedAnswer("solo", answerWords) {
		t.Fatalf("resp %+v, err %v", resp, err)
	}
	if n, o := tp.callsOf("solo"), d.Overhead(); n != 1 || o != (Overhead{}) {
		t.Fatalf("%d pieces, overhead %+v; want one piece and none", n, o)
	}
}
