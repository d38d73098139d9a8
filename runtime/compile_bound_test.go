package runtime

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestCompileHonoursDeadline compiles a legal module that takes each engine seconds to
// compile under a deadline far shorter: Compile returns soon after the deadline, with it.
func TestCompileHonoursDeadline(t *testing.T) {
	slow := map[string][]byte{
		// wazero: functions nested as deep as allowed, a quarter of a second each.
		"wazero": startModule(slices.Repeat([][]byte{nestedBody(maxNesting)}, 8)...),
		// Wasmtime compiles those in milliseconds, but its register allocator takes about a
		// second for each function with 49,000 locals live at once.
		"wasmtime": startModule(slices.Repeat([][]byte{manyLocalsBody(49_000)}, 6)...),
	}
	for _, name := range Engines() {
		t.Run(name, func(t *testing.T) {
			wasm := slow[name]
			e := testEngine(name)(t)
			const deadline = 20 * time.Millisecond
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
			// The abandoned compile runs on, in its slot. Closing the engine does not wait for
			// it (aios run closes its engine right after a compile past --timeout)...
			start = time.Now()
			if err := e.Close(context.Background()); err != nil {
				t.Fatalf("Close = %v", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Close took %v: it waited for the abandoned compile", d)
			}
			// ...which ends, gives its slot back and frees the engine without harm.
			waitCompilesEnded(t, engineGate(e))
			if _, err := e.Compile(context.Background(), fixture(t, "minimal.wasm")); err == nil {
				t.Error("Compile on a closed engine succeeded")
			}
		})
	}
}

// waitCompilesEnded waits until every slot of gate is free: every compile, abandoned or not,
// has ended.
func waitCompilesEnded(t *testing.T, gate compileGate) {
	t.Helper()
	timeout := time.After(5 * time.Minute)
	for range cap(gate) {
		select {
		case gate <- struct{}{}:
		case <-timeout:
			t.Fatal("an abandoned compile still holds its slot after 5 minutes")
		}
	}
	for range cap(gate) {
		<-gate
	}
}

func TestCompileWithin(t *testing.T) {
	t.Run("finished", func(t *testing.T) {
		v, err := compileWithin(context.Background(), openEngine{}, make(compileGate, 1),
			func() (int, error) { return 7, nil }, func(int) { t.Error("discarded a result that was returned") })
		if v != 7 || err != nil {
			t.Errorf("compileWithin = %d, %v", v, err)
		}
	})
	t.Run("context already ended", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := compileWithin(ctx, openEngine{}, make(compileGate, 1), func() (int, error) {
			t.Error("compiled under an ended context")
			return 0, nil
		}, func(int) {})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("compileWithin = %v, want the cancellation", err)
		}
	})
	t.Run("abandoned", func(t *testing.T) {
		gate := make(compileGate, 1)
		started, release, discarded := make(chan struct{}), make(chan struct{}), make(chan int, 1)
		ctx, cancel := context.WithCancelCause(context.Background())
		cause := errors.New("gave up")
		go func() {
			<-started
			cancel(cause)
		}()
		_, err := compileWithin(ctx, openEngine{}, gate, func() (int, error) { close(started); <-release; return 7, nil },
			func(v int) { discarded <- v })
		if !errors.Is(err, cause) {
			t.Fatalf("compileWithin = %v, want the context's cause", err)
		}
		// The abandoned compile still holds the only slot: the next caller waits for it
		// within its own context.
		ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel2()
		if _, err := compileWithin(ctx2, openEngine{}, gate, func() (int, error) { return 1, nil }, func(int) {}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("second compileWithin = %v, want its deadline while the slot is held", err)
		}
		close(release)
		if v := <-discarded; v != 7 {
			t.Errorf("discarded %d, want the abandoned compile's 7", v)
		}
		// The slot is free once the abandoned compile has ended.
		if v, err := compileWithin(context.Background(), openEngine{}, gate, func() (int, error) { return 2, nil }, func(int) {}); v != 2 || err != nil {
			t.Errorf("third compileWithin = %d, %v", v, err)
		}
	})
}

// manyLocalsBody is a function body with n i64 locals, each set to a constant, then summed:
// all n are live at once.
func manyLocalsBody(n int) []byte {
	body := append([]byte{1}, uleb(uint64(n))...)
	body = append(body, byte(ValI64))
	for i := range n {
		body = append(body, 0x42) // i64.const i+1
		body = append(body, uleb(uint64(i+1))...)
		body = append(body, 0x21) // local.set i
		body = append(body, uleb(uint64(i))...)
	}
	body = append(body, 0x42, 0)
	for i := range n {
		body = append(body, 0x20) // local.get i
		body = append(body, uleb(uint64(i))...)
		body = append(body, 0x7c) // i64.add
	}
	return append(body, 0x1a, 0x0b) // drop, end
}

// openEngine is a compilingEngine that is never closed.
type openEngine struct{}

func (openEngine) beginCompile() error { return nil }
func (openEngine) endCompile()         {}
