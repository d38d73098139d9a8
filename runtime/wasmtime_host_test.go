//go:build wasmtime

package runtime

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/aiosys/aios/hostcalls"
)

// probeWat calls aios.probe(-1 as i32, -2 as i64) and requires the results (1<<40, -1); then
// aios.done.
const probeWat = `(module
  (import "aios" "probe" (func $probe (param i32 i64) (result i64 i32)))
  (import "aios" "done" (func $done))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $r i32)
    (call $probe (i32.const -1) (i64.const -2))
    (local.set $r)
    (if (i64.ne (i64.const 1099511627776)) (then unreachable))
    (if (i32.ne (local.get $r) (i32.const -1)) (then unreachable))
    (call $done)))`

// TestWasmtimeHostCall checks the value stack and the memory a handler sees: i32 parameters
// zero-extended, results passed back, and bounds-checked memory access.
func TestWasmtimeHostCall(t *testing.T) {
	var got []uint64
	var memErrs []string
	done := false
	table := []hostcalls.Func{
		{Module: "aios", Name: "probe",
			Params:  []hostcalls.ValueType{hostcalls.I32, hostcalls.I64},
			Results: []hostcalls.ValueType{hostcalls.I64, hostcalls.I32},
			Handler: func(_ context.Context, _ *hostcalls.Guest, mem hostcalls.Memory, stack []uint64) error {
				got = append([]uint64(nil), stack...)
				memErrs = checkMemory(mem)
				stack[0], stack[1] = 1<<40, 0xFFFFFFFF
				return nil
			}},
		{Module: "aios", Name: "done",
			Handler: func(context.Context, *hostcalls.Guest, hostcalls.Memory, []uint64) error {
				done = true
				return nil
			}},
	}
	m := compile(t, newWasmtimeWith(t, Config{Table: table}), wat(t, probeWat))
	if r := runModule(t, m, runSpec{}); r.err != nil {
		t.Fatalf("Run = %v", r.err)
	}
	if want := []uint64{0xFFFFFFFF, 0xFFFFFFFFFFFFFFFE}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("handler stack = %#x, want %#x", got, want)
	}
	for _, e := range memErrs {
		t.Error(e)
	}
	if !done {
		t.Error("the guest did not accept the results")
	}
}

// checkMemory exercises a one-page memory's bounds and says what went wrong.
func checkMemory(mem hostcalls.Memory) []string {
	var errs []string
	if n := mem.Size(); n != PageSize {
		errs = append(errs, "Size = "+strconv.Itoa(int(n)))
	}
	if !mem.Write(PageSize-4, []byte("abcd")) {
		errs = append(errs, "Write of the last 4 bytes failed")
	}
	if b, ok := mem.Read(PageSize-4, 4); !ok || string(b) != "abcd" {
		errs = append(errs, "Read of the last 4 bytes = "+string(b))
	}
	for _, r := range []struct{ off, n uint32 }{{PageSize - 3, 4}, {0xFFFFFFFF, 2}, {PageSize, 1}} {
		if _, ok := mem.Read(r.off, r.n); ok {
			errs = append(errs, "Read past the end succeeded")
		}
	}
	if mem.Write(0xFFFFFFFE, []byte("xyz")) {
		errs = append(errs, "Write wrapping past 2^32 succeeded")
	}
	return errs
}

// TestWasmtimeHandlerFailures: a handler's error and a handler's panic each end the agent with
// a *TrapError, and the host goes on.
func TestWasmtimeHandlerFailures(t *testing.T) {
	errBoom := errors.New("boom\nsecond line")
	for name, h := range map[string]hostcalls.Handler{
		"error": func(context.Context, *hostcalls.Guest, hostcalls.Memory, []uint64) error { return errBoom },
		"panic": func(context.Context, *hostcalls.Guest, hostcalls.Memory, []uint64) error {
			panic("handler bug")
		},
	} {
		t.Run(name, func(t *testing.T) {
			table := []hostcalls.Func{{Module: "aios", Name: "done", Handler: h}}
			src := `(module (import "aios" "done" (func $done)) (memory (export "memory") 1)
			  (func (export "_start") (call $done)))`
			m := compile(t, newWasmtimeWith(t, Config{Table: table}), wat(t, src))
			r := runModule(t, m, runSpec{})
			var trap *TrapError
			if !errors.As(r.err, &trap) {
				t.Fatalf("Run = %v, want a *TrapError", r.err)
			}
			switch name {
			case "error":
				if !errors.Is(r.err, errBoom) || trap.Message != "boom" {
					t.Errorf("Run = %v (message %q), want boom wrapped", r.err, trap.Message)
				}
			case "panic":
				if !strings.HasPrefix(trap.Message, "host fault in a system call: aios.done: ") || trap.Trace == "" {
					t.Errorf("Run = %v, trace %d bytes: want a host fault with a Go trace", r.err, len(trap.Trace))
				}
			}
		})
	}
}
