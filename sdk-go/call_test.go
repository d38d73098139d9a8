package aios

import (
	"errors"
	"reflect"
	"testing"
)

// slow returns a request the fake host takes ticks ticks to answer.
func slow(prompt string, ticks int) Request {
	return Request{Messages: []Message{UserMessage(prompt)}, MaxTokens: ticks}
}

func TestSubmitPollWait(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	c, err := Submit(slow("a", 3))
	if err != nil {
		t.Fatal(err)
	}
	if _, done, err := c.Poll(); done || err != nil {
		t.Fatalf("Poll before the call finished = done %v, err %v", done, err)
	}
	resp, err := c.Wait()
	if err != nil || resp.Text != "echo: a" {
		t.Fatalf("Wait = %+v, %v", resp, err)
	}
	// The handle is released; the outcome stays.
	if again, done, err := c.Poll(); !done || err != nil || !reflect.DeepEqual(again, resp) {
		t.Errorf("Poll after Wait = %+v, %v, %v", again, done, err)
	}
	if err := c.Cancel(); err != nil {
		t.Errorf("Cancel after Wait: %v", err)
	}
	h.checkClean(t)
}

func TestWaitAnyInFinishingOrder(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	var calls []*Call
	for _, ticks := range []int{30, 10, 20} {
		c, err := Submit(slow("q", ticks))
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	var order []int
	pending := map[int]bool{0: true, 1: true, 2: true}
	for len(pending) > 0 {
		var idx []int
		var wait []*Call
		for i := range 3 {
			if pending[i] {
				idx = append(idx, i)
				wait = append(wait, calls[i])
			}
		}
		i, err := WaitAny(wait...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wait[i].Wait(); err != nil {
			t.Fatal(err)
		}
		order = append(order, idx[i])
		delete(pending, idx[i])
	}
	if order[0] != 1 || order[1] != 2 || order[2] != 0 {
		t.Errorf("finishing order = %v, want [1 2 0]", order)
	}
	h.checkClean(t)
}

func TestWaitAnyFinishedCall(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	a, _ := Submit(slow("a", 50))
	b, _ := Submit(slow("b", 0))
	if _, err := b.Wait(); err != nil {
		t.Fatal(err)
	}
	if i, err := WaitAny(a, b); i != 1 || err != nil {
		t.Errorf("WaitAny = %d, %v; want the finished call, 1", i, err)
	}
	if _, err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	h.checkClean(t)
}

func TestWaitAnyBadArguments(t *testing.T) {
	useHost(t, newFakeHost())
	if _, err := WaitAny[*Call](); !errors.Is(err, ErrInvalid) {
		t.Errorf("WaitAny() error = %v, want ErrInvalid", err)
	}
	if _, err := WaitAny[*Call](nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("WaitAny(nil) error = %v, want ErrInvalid", err)
	}
}

func TestCancel(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	c, err := Submit(slow("long", 100))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Cancel(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Wait(); !errors.Is(err, ErrCanceled) {
		t.Errorf("Wait after Cancel: error = %v, want ErrCanceled", err)
	}
	h.checkClean(t)
}

func TestSubmitInFlightLimit(t *testing.T) {
	h := newFakeHost()
	h.inFlMax = 2
	useHost(t, h)
	a, _ := Submit(slow("a", 1))
	b, _ := Submit(slow("b", 1))
	if _, err := Submit(slow("c", 1)); !errors.Is(err, ErrLimit) {
		t.Errorf("third Submit error = %v, want ErrLimit", err)
	}
	for _, c := range []*Call{a, b} {
		if _, err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	h.checkClean(t)
}

func TestCallFailure(t *testing.T) {
	h := newFakeHost()
	h.answer = func(generateRequest) (Response, Errno) { return Response{}, ErrBackend }
	useHost(t, h)
	c, err := Submit(Prompt("x"))
	if err != nil {
		t.Fatal(err)
	}
	_, done, err := c.Poll()
	if !done || !errors.Is(err, ErrBackend) {
		t.Errorf("Poll = done %v, err %v; want done with ErrBackend", done, err)
	}
	h.checkClean(t)
}

func TestManyCallsLeakNoResults(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	// More than the 64 unread results an agent may hold: each must be read as it arrives.
	for range 100 {
		c, err := Submit(Prompt("x"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	h.checkClean(t)
}
