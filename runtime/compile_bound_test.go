package runtime

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestCompileHonoursDeadline compiles a large, legal module (the Go program, seconds to
// compile) under a deadline far shorter: Compile returns soon after the deadline, with it.
func TestCompileHonoursDeadline(t *testing.T) {
	wasm := goAgent(t)
	for _, name := range Engines() {
		t.Run(name, func(t *testing.T) {
			e := testEngine(name)(t)
			const deadline = 50 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			m, err := e.Compile(ctx, wasm)
			elapsed := time.Since(start)
			if err == nil {
				_ = m.Close(context.Background())
				t.Fatalf("Compile succeeded in %v, under a %v deadline", elapsed, deadline)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Compile = %v, want the deadline", err)
			}
			if elapsed > deadline+time.Second {
				t.Errorf("Compile returned %v after its %v deadline", elapsed-deadline, deadline)
			}
		})
	}
}

func TestCompileWithin(t *testing.T) {
	t.Run("finished", func(t *testing.T) {
		v, err := compileWithin(context.Background(), make(compileGate, 1),
			func() (int, error) { return 7, nil }, func(int) { t.Error("discarded a result that was returned") })
		if v != 7 || err != nil {
			t.Errorf("compileWithin = %d, %v", v, err)
		}
	})
	t.Run("abandoned", func(t *testing.T) {
		gate := make(compileGate, 1)
		release, discarded := make(chan struct{}), make(chan int, 1)
		ctx, cancel := context.WithCancelCause(context.Background())
		cause := errors.New("gave up")
		cancel(cause)
		_, err := compileWithin(ctx, gate, func() (int, error) { <-release; return 7, nil },
			func(v int) { discarded <- v })
		if !errors.Is(err, cause) {
			t.Fatalf("compileWithin = %v, want the context's cause", err)
		}
		// The abandoned compile still holds the only slot: the next caller waits for it
		// within its own context.
		ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel2()
		if _, err := compileWithin(ctx2, gate, func() (int, error) { return 1, nil }, func(int) {}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("second compileWithin = %v, want its deadline while the slot is held", err)
		}
		close(release)
		if v := <-discarded; v != 7 {
			t.Errorf("discarded %d, want the abandoned compile's 7", v)
		}
		// The slot is free once the abandoned compile has ended.
		if v, err := compileWithin(context.Background(), gate, func() (int, error) { return 2, nil }, func(int) {}); v != 2 || err != nil {
			t.Errorf("third compileWithin = %d, %v", v, err)
		}
	})
}
