package dispatch

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/llm"
)

// stuckCore never answers: each call waits for its context to end, then for unstick to close,
// so a test decides when a timed-out call returns.
type stuckCore struct {
	started chan struct{} // receives one value as each call begins
	unstick chan struct{}
}

func (c *stuckCore) Name() string     { return "stuck" }
func (c *stuckCore) Models() []string { return nil }

func (c *stuckCore) Generate(ctx context.Context, _ llm.Request, _ func(llm.Chunk)) (llm.Response, error) {
	c.started <- struct{}{}
	<-ctx.Done()
	<-c.unstick
	return llm.Response{}, ctx.Err()
}

// TestAttemptTimeoutFreesPlaceAtOnce checks that an attempt that times out gives its place on
// the core to the next request the moment it times out, before the core returns, and fails
// with an error matching context.DeadlineExceeded (retryable) that says it timed out.
func TestAttemptTimeoutFreesPlaceAtOnce(t *testing.T) {
	c := &stuckCore{started: make(chan struct{}, 2), unstick: make(chan struct{})}
	d, _ := New([]Backend{{Core: c, Capacity: 1}}, Options{AttemptTimeout: 20 * time.Millisecond, MaxAttempts: 1})
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := d.Generate(as("a"), ask("hi"), nil)
			errs <- err
		}()
	}
	// Both calls begin while neither has returned: the first's place was freed by its timeout.
	for i := range 2 {
		select {
		case <-c.started:
		case <-time.After(time.Minute):
			t.Fatalf("call %d never began: the timed-out call kept its place", i+1)
		}
	}
	close(c.unstick)
	for range 2 {
		err := <-errs
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "attempt timed out after 20ms") {
			t.Errorf("err = %v, want an attempt timeout matching context.DeadlineExceeded", err)
		}
		if retry, _ := Retryable(err); !retry {
			t.Errorf("a timeout is not retryable: %v", err)
		}
	}
}

// TestCallerCancelFreesPlaceAtOnce checks that a generation its caller cancels gives its place
// to the next request at once, before the core returns, and fails with the caller's error.
func TestCallerCancelFreesPlaceAtOnce(t *testing.T) {
	c := &stuckCore{started: make(chan struct{}, 2), unstick: make(chan struct{})}
	d, _ := New([]Backend{{Core: c, Capacity: 1}}, Options{})
	ctx, cancel := context.WithCancel(as("a"))
	errs := make(chan error, 2)
	go func() {
		_, err := d.Generate(ctx, ask("hi"), nil)
		errs <- err
	}()
	<-c.started
	second, stopSecond := context.WithCancel(as("b"))
	go func() {
		_, err := d.Generate(second, ask("hi"), nil)
		errs <- err
	}()
	waitQueued(t, d, 1)
	cancel()
	select {
	case <-c.started:
	case <-time.After(time.Minute):
		t.Fatal("the second call never began: the cancelled call kept its place")
	}
	stopSecond()
	close(c.unstick)
	for range 2 {
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want the caller's cancellation", err)
		}
	}
}

// TestAttemptTimeoutsOfOverlappingPieces checks that pieces running at once each time out at
// their own deadline: the watchdog, fired for the first, arms itself again for the second.
func TestAttemptTimeoutsOfOverlappingPieces(t *testing.T) {
	c := &stuckCore{started: make(chan struct{}, 2), unstick: make(chan struct{})}
	d, _ := New([]Backend{{Core: c, Capacity: 2}}, Options{AttemptTimeout: 30 * time.Millisecond, MaxAttempts: 1})
	errs := make(chan error, 2)
	generate := func() {
		_, err := d.Generate(as("a"), ask("hi"), nil)
		errs <- err
	}
	go generate()
	<-c.started
	time.Sleep(10 * time.Millisecond)
	go generate()
	<-c.started
	// Neither core call returns until both are stopped: a piece the watchdog missed would hang
	// here, and the core's calls are unstuck only once both contexts ended.
	waitFor(t, "both pieces to be stopped", func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		stopped := 0
		for s := range d.running {
			if s.released {
				stopped++
			}
		}
		return stopped == 2
	})
	close(c.unstick)
	for range 2 {
		if err := <-errs; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want an attempt timeout", err)
		}
	}
}
