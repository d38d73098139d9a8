//go:build wasmtime

package runtime

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/limits"
)

// wat compiles WebAssembly text for a test.
func wat(t *testing.T, src string) []byte {
	t.Helper()
	b, err := wasmtime.Wat2Wasm(src)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newWasmtimeWith(t *testing.T, cfg Config) *wasmtimeEngine {
	t.Helper()
	e, err := NewWasmtime(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	return e.(*wasmtimeEngine)
}

func TestWasmtimeBadTable(t *testing.T) {
	table := []hostcalls.Func{{Module: "aios", Name: "x", Params: []hostcalls.ValueType{7}}}
	if e, err := NewWasmtime(context.Background(), Config{Table: table}); err == nil {
		_ = e.Close(context.Background())
		t.Fatal("NewWasmtime with an unknown value type: want an error")
	}
}

// deepWat recurses 4000 calls deep, then returns: a few hundred KiB of stack.
const deepWat = `(module
  (memory (export "memory") 1)
  (func $down (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 0))
      (else (i64.add (call $down (i64.sub (local.get $n) (i64.const 1))) (i64.const 1)))))
  (func (export "_start") (drop (call $down (i64.const 4000)))))`

// TestWasmtimeStackLimit shows that limits.Limits.Stack is honoured, per run, by the same
// module: a recursion that fits in 1 MiB overflows 64 KiB.
func TestWasmtimeStackLimit(t *testing.T) {
	e := newWasmtimeWith(t, Config{})
	m := compile(t, e, wat(t, deepWat))
	if r := runModule(t, m, runSpec{lim: limits.Limits{Stack: 1 << 20}}); r.err != nil {
		t.Errorf("1 MiB stack: Run = %v, want nil", r.err)
	}
	r := runModule(t, m, runSpec{lim: limits.Limits{Stack: 64 << 10}})
	var ex *limits.ExceededError
	if !errors.As(r.err, &ex) || ex.Limit != "stack" || ex.Value != "64 KiB" {
		t.Errorf("64 KiB stack: Run = %v, want stack (64 KiB) exceeded", r.err)
	}
	if n := len(e.engines()); n != 2 {
		t.Errorf("%d Wasmtime engines after runs with two stack limits, want 2", n)
	}
}

// TestWasmtimeCloseEndsRuns closes an engine under a running agent that never calls the host:
// the run ends with a cancellation caused by the close, and nothing runs after.
func TestWasmtimeCloseEndsRuns(t *testing.T) {
	e, err := NewWasmtime(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.Compile(context.Background(), fixture(t, "loop.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	done := make(chan *agentRun)
	go func() { done <- runModule(t, m, runSpec{}) }()
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Close(ctx); err != nil {
		t.Fatalf("Close = %v: the running agent did not stop", err)
	}
	select {
	case r := <-done:
		if !errors.Is(r.err, errEngineClosed) {
			t.Errorf("Run = %v, want it ended by the close", r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close returned but the run did not end")
	}
	if r := runModule(t, m, runSpec{}); !errors.Is(r.err, errEngineClosed) {
		t.Errorf("Run after Close = %v, want %v", r.err, errEngineClosed)
	}
	if _, err := e.Compile(context.Background(), fixture(t, "loop.wasm")); !errors.Is(err, errEngineClosed) {
		t.Errorf("Compile after Close = %v, want %v", err, errEngineClosed)
	}
	if err := e.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestSplitWasmtimeError(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{"error while executing at wasm backtrace:\n    0:   0x2f - <unknown>!f\n\nCaused by:\n    wasm trap: interrupt\n\nStack backtrace:\n   0: anyhow", "interrupt"},
		{"failed to parse WebAssembly module\n\nCaused by:\n    0: bad section\n    1: unexpected end", "failed to parse WebAssembly module: bad section: unexpected end"},
		{"plain failure\nmore", "plain failure"},
	} {
		msg, trace := splitWasmtimeError(errors.New(c.in))
		if msg != c.msg {
			t.Errorf("message of %q = %q, want %q", c.in, msg, c.msg)
		}
		if strings.Contains(trace, "Stack backtrace") {
			t.Errorf("trace of %q keeps the Rust backtrace", c.in)
		}
	}
}

func TestWasmtimeRunClosedModule(t *testing.T) {
	m := compile(t, newWasmtimeWith(t, Config{}), fixture(t, "minimal.wasm"))
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := runModule(t, m, runSpec{})
	var trap *TrapError
	if !errors.Is(r.err, errModuleClosed) || errors.As(r.err, &trap) {
		t.Errorf("Run of a closed module = %v, want %v", r.err, errModuleClosed)
	}
}

func TestWasmStack(t *testing.T) {
	for _, c := range []struct{ limit, want uint64 }{
		{0, 64 << 10}, {1000, 64 << 10}, {1<<20 + 1000, 1 << 20}, {8 << 20, 4 << 20},
	} {
		if got := wasmStack(c.limit); got != c.want {
			t.Errorf("wasmStack(%d) = %d, want %d", c.limit, got, c.want)
		}
	}
}

// TestWasmtimeMaxRunning: past Config.MaxRunning, a run waits for a place, and gives up with a
// clear error when its context ends first; the running agent is unaffected.
func TestWasmtimeMaxRunning(t *testing.T) {
	e, err := NewWasmtime(context.Background(), Config{MaxRunning: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	m := compile(t, e, fixture(t, "sleep.wasm"))
	first := make(chan *agentRun)
	go func() { first <- runModule(t, m, runSpec{}) }()
	time.Sleep(50 * time.Millisecond) // the sleeper holds the only place for 300 ms
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	second := runModule(t, m, runSpec{ctx: ctx})
	if second.err == nil || !strings.Contains(second.err.Error(), "waiting for a place") {
		t.Fatalf("second run: err = %v, want it to give up waiting for a place", second.err)
	}
	if r := <-first; r.err != nil {
		t.Fatalf("first run: %v", r.err)
	}
	if r := runModule(t, m, runSpec{}); r.err != nil {
		t.Fatalf("a run after the place freed: %v", r.err)
	}
}
