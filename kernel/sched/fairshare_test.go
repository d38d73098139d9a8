package sched

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func pushN(q Queue, agent string, n, est int) {
	for range n {
		q.Push(&Job{Agent: agent, Value: agent, Estimate: est})
	}
}

// serve pops n jobs, reporting each as having used exactly its estimate.
func serve(q Queue, n int) []string {
	var out []string
	for range n {
		j := q.Pop()
		if j == nil {
			break
		}
		q.Done(j, j.Estimate)
		out = append(out, j.Value.(string))
	}
	return out
}

func TestFairShareAlternates(t *testing.T) {
	q := NewFairShare(nil, false)
	pushN(q, "a", 4, 100)
	pushN(q, "b", 4, 100)
	if got := serve(q, 8); !slices.Equal(got, []string{"a", "b", "a", "b", "a", "b", "a", "b"}) {
		t.Fatalf("order = %v", got)
	}
}

func TestFairShareByTokensNotRequests(t *testing.T) {
	q := NewFairShare(nil, false)
	pushN(q, "big", 3, 400)
	pushN(q, "small", 12, 100)
	got := serve(q, 15)
	// Each 400-token job of big should be followed by about four of small.
	if strings.Join(got[:6], ",") != "big,small,small,small,small,big" {
		t.Fatalf("order = %v", got)
	}
}

func TestFairShareWeights(t *testing.T) {
	q := NewFairShare(map[string]float64{"gold": 3}, false)
	pushN(q, "gold", 30, 10)
	pushN(q, "basic", 30, 10)
	got := serve(q, 20)
	gold := 0
	for _, n := range got {
		if n == "gold" {
			gold++
		}
	}
	if gold != 15 {
		t.Fatalf("gold got %d of 20 turns, want 15 (weight 3:1): %v", gold, got)
	}
}

func TestFairShareIdleAgentCannotBankCredit(t *testing.T) {
	q := NewFairShare(nil, false)
	pushN(q, "busy", 50, 100)
	serve(q, 40) // busy has 4000 tokens of service; "late" has been idle all along
	pushN(q, "late", 20, 100)
	got := serve(q, 10)
	late := 0
	for _, n := range got {
		if n == "late" {
			late++
		}
	}
	if late > 6 {
		t.Fatalf("idle agent took %d of 10 turns on banked credit: %v", late, got)
	}
	if late < 4 {
		t.Fatalf("newly backlogged agent got only %d of 10 turns: %v", late, got)
	}
}

func TestFairShareDoneSettlesToActual(t *testing.T) {
	q := NewFairShare(nil, false)
	pushN(q, "a", 1, 1000)
	j := q.Pop()
	if q.Counter("a") != 1000 {
		t.Fatalf("counter after Pop = %v, want the estimate 1000", q.Counter("a"))
	}
	q.Done(j, 30)
	if q.Counter("a") != 30 {
		t.Fatalf("counter after Done = %v, want 30", q.Counter("a"))
	}
}

func TestFairShareRestoreUndoesCharge(t *testing.T) {
	q := NewFairShare(nil, false)
	pushN(q, "a", 2, 100)
	pushN(q, "b", 1, 100)
	j := q.Pop()
	q.Restore(j)
	if q.Counter("a") != 0 || q.Len() != 3 {
		t.Fatalf("after Restore: counter %v, len %d", q.Counter("a"), q.Len())
	}
	if got := serve(q, 3); !slices.Equal(got, []string{"a", "b", "a"}) {
		t.Fatalf("order = %v", got)
	}
}

func TestFairShareRemove(t *testing.T) {
	q := NewFairShare(nil, false)
	a := &Job{Agent: "a", Value: "a", Estimate: 1}
	q.Push(a)
	pushN(q, "b", 1, 1)
	if !q.Remove(a) || q.Remove(a) || q.Len() != 1 {
		t.Fatal("Remove must take the job out once")
	}
	if got := serve(q, 5); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("order = %v", got)
	}
}

func TestFairSharePerTenant(t *testing.T) {
	q := NewFairShare(nil, true)
	for range 10 {
		q.Push(&Job{Agent: "x1", Tenant: "x", Value: "x", Estimate: 10})
		q.Push(&Job{Agent: "x2", Tenant: "x", Value: "x", Estimate: 10})
		q.Push(&Job{Agent: "y1", Tenant: "y", Value: "y", Estimate: 10})
	}
	got := serve(q, 10)
	y := 0
	for _, n := range got {
		if n == "y" {
			y++
		}
	}
	if y != 5 {
		t.Fatalf("tenant y got %d of 10 turns, want 5: %v", y, got)
	}
}

// TestFairShareNoStarvation keeps ten agents always backlogged; an agent that arrives late
// with a large job must run within one round of them.
func TestFairShareNoStarvation(t *testing.T) {
	q := NewFairShare(nil, false)
	for i := range 10 {
		pushN(q, fmt.Sprint("chatty", i), 1, 10)
	}
	for step := range 1000 {
		if step == 50 {
			pushN(q, "heavy", 1, 10_000)
		}
		j := q.Pop()
		q.Done(j, j.Estimate)
		if j.Agent == "heavy" {
			if step > 50+10 {
				t.Fatalf("heavy waited %d turns", step-50)
			}
			return
		}
		q.Push(&Job{Agent: j.Agent, Value: j.Agent, Estimate: 10})
	}
	t.Fatal("heavy never ran")
}

// TestFairShareLiftIgnoresPendingEstimates: a newcomer is lifted to settled service only, so an
// agent whose popped job is still running on a large estimate cannot push newcomers behind it.
func TestFairShareLiftIgnoresPendingEstimates(t *testing.T) {
	q := NewFairShare(nil, false)
	pushN(q, "a", 1, 1000)
	running := q.Pop()
	pushN(q, "a", 2, 1000)
	pushN(q, "b", 1, 1000)
	if j := q.Pop(); j.Agent != "b" {
		t.Fatalf("popped %s, want b ahead of a, whose 1000-token estimate is still pending", j.Agent)
	}
	q.Done(running, 10)
	if q.Counter("a") != 10 {
		t.Fatalf("a's counter = %v, want 10 settled", q.Counter("a"))
	}
}
