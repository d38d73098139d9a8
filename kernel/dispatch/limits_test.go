package dispatch

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestCapacityIsNeverExceeded(t *testing.T) {
	c := &testCore{name: "c", fail: func(int) error { time.Sleep(5 * time.Millisecond); return nil }}
	d, err := New([]Backend{{Core: c, Capacity: 2}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := d.Generate(as(string(rune('a'+i%3))), ask("x"), nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if calls, most := c.stats(); calls != 20 || most != 2 {
		t.Fatalf("calls %d, most in flight %d; want 20 and 2", calls, most)
	}
}

// TestRateLimitsAreNeverExceeded shrinks the minute to 300 ms and checks every window of
// that length holds at most RPM requests.
func TestRateLimitsAreNeverExceeded(t *testing.T) {
	const span, rpm = 300 * time.Millisecond, 3
	c := &testCore{name: "c"}
	d, err := New([]Backend{{Core: c, Capacity: 10, RPM: rpm}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.span = span
	d.cores[0].rpm = newWindow(rpm, span)
	start := time.Now()
	var wg sync.WaitGroup
	for range 9 {
		wg.Go(func() {
			if _, err := d.Generate(as("a"), ask("x"), nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if el := time.Since(start); el < 2*span-20*time.Millisecond {
		t.Fatalf("9 requests at %d per %v finished in %v", rpm, span, el)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.times {
		n := 0
		for _, t2 := range c.times {
			if !t2.Before(c.times[i]) && t2.Sub(c.times[i]) < span-10*time.Millisecond {
				n++
			}
		}
		if n > rpm {
			t.Fatalf("%d requests within one window starting at call %d", n, i)
		}
	}
}

func TestTPMRejectsRequestLargerThanEveryCore(t *testing.T) {
	c := &testCore{name: "c"}
	d, err := New([]Backend{{Core: c, TPM: 100}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	req := ask("x")
	req.MaxTokens = 500
	if _, err := d.Generate(as("a"), req, nil); err == nil {
		t.Fatal("a request larger than every core's TPM must fail, not wait forever")
	}
	if calls, _ := c.stats(); calls != 0 {
		t.Fatalf("calls = %d", calls)
	}
}

func TestCancelFreesCapacityAtOnce(t *testing.T) {
	slow := &testCore{name: "slow", hold: true, linger: 500 * time.Millisecond, started: make(chan string, 4)}
	d, err := New([]Backend{{Core: slow, Capacity: 1}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx1, cancel1 := context.WithCancel(as("a"))
	done1 := make(chan error, 1)
	go func() { _, err := d.Generate(ctx1, ask("1"), nil); done1 <- err }()
	<-slow.started
	ctx2, cancel2 := context.WithCancel(as("b"))
	defer cancel2()
	go func() { _, _ = d.Generate(ctx2, ask("2"), nil) }()
	time.Sleep(20 * time.Millisecond)
	if calls, _ := slow.stats(); calls != 1 {
		t.Fatalf("the second request ran over capacity: calls = %d", calls)
	}
	cancelled := time.Now()
	cancel1()
	select {
	case <-slow.started:
		if wait := time.Since(cancelled); wait > 250*time.Millisecond {
			t.Fatalf("the freed slot was given out only after %v", wait)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the queued request never started")
	}
	if err := <-done1; !errorsIsCanceled(err) {
		t.Fatalf("cancelled call: err = %v", err)
	}
	cancel2()
}

func TestCancelWhileQueued(t *testing.T) {
	slow := &testCore{name: "slow", hold: true, started: make(chan string, 4)}
	d, err := New([]Backend{{Core: slow, Capacity: 1}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx1, cancel1 := context.WithCancel(as("a"))
	defer cancel1()
	go func() { _, _ = d.Generate(ctx1, ask("1"), nil) }()
	<-slow.started
	ctx2, cancel2 := context.WithTimeout(as("b"), 30*time.Millisecond)
	defer cancel2()
	if _, err := d.Generate(ctx2, ask("2"), nil); !errorsIsDeadline(err) {
		t.Fatalf("queued call: err = %v", err)
	}
	d.mu.Lock()
	n := d.q.Len()
	d.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d jobs left in the queue after their callers gave up", n)
	}
}
