package runtime

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/limits"
)

// runConformance is the behaviour every Engine must show, run against real fixtures and a real
// kernel. Each engine's test calls it with a constructor (TestConformanceWazero, and
// TestConformanceWasmtime under the wasmtime build tag).
func runConformance(t *testing.T, newEngine func(t *testing.T) Engine) {
	e := newEngine(t)
	// The Go program is compiled once: it is large, and slow to compile under -race.
	goProg := compile(t, e, goAgent(t))
	t.Run("Refused", func(t *testing.T) { conformRefused(t, e) })
	t.Run("Outcomes", func(t *testing.T) { conformOutcomes(t, e) })
	t.Run("Limits", func(t *testing.T) { conformLimits(t, e) })
	t.Run("GoProgram", func(t *testing.T) { conformGoProgram(t, goProg) })
	t.Run("SideBySide", func(t *testing.T) { conformSideBySide(t, e, goProg) })
	t.Run("ConcurrentRuns", func(t *testing.T) { conformConcurrent(t, e) })
	t.Run("Cancel", func(t *testing.T) { conformCancel(t, e) })
}

func conformRefused(t *testing.T, e Engine) {
	for name, want := range map[string]string{
		"forbidden.wasm": "module refused: 3 forbidden imports: env.foo (func), aios.no_such_call (func), " +
			"wasi_snapshot_preview1.fd_write wrong signature (i32)->i32 (want (i32,i32,i32,i32)->i32)",
		"importedmem.wasm": "module refused: 2 forbidden imports: env.memory (memory), env.g (global)",
		"nostart.wasm":     `module refused: missing export "_start"`,
	} {
		_, err := e.Compile(context.Background(), fixture(t, name))
		var re *RefusedError
		if !errors.As(err, &re) || err.Error() != want {
			t.Errorf("%s: Compile error = %v, want *RefusedError %q", name, err, want)
		}
	}
	for name, want := range map[string]string{
		"truncated.wasm": "malformed wasm: data section at offset ",
		"malformed.wasm": "malformed wasm at offset 0: not a WebAssembly module (bad magic number)",
	} {
		_, err := e.Compile(context.Background(), fixture(t, name))
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: Compile error = %v, want *FormatError %q", name, err, want)
		}
	}
}

func conformOutcomes(t *testing.T, e Engine) {
	t.Run("minimal", func(t *testing.T) {
		r := runModule(t, compile(t, e, fixture(t, "minimal.wasm")), runSpec{})
		if r.err != nil {
			t.Fatalf("Run = %v", r.err)
		}
		if out := string(r.proc.OutputBytes()); out != "hello from wasm" {
			t.Errorf("output = %q", out)
		}
	})
	t.Run("badptr", func(t *testing.T) {
		r := runModule(t, compile(t, e, fixture(t, "badptr.wasm")), runSpec{})
		var exit *hostcalls.ExitError
		if !errors.As(r.err, &exit) || exit.Code != 2 {
			t.Errorf("Run = %v, want exit status 2 (EFAULT)", r.err)
		}
	})
	t.Run("oob", func(t *testing.T) {
		r := runModule(t, compile(t, e, fixture(t, "oob.wasm")), runSpec{})
		var trap *TrapError
		if !errors.As(r.err, &trap) {
			t.Fatalf("Run = %v, want a *TrapError", r.err)
		}
		if msg := r.err.Error(); msg != "agent trapped: out of bounds memory access" {
			t.Errorf("error = %q, want a plain message", msg)
		}
	})
	t.Run("stdoutflood", func(t *testing.T) {
		const logLimit = 4096
		r := runModule(t, compile(t, e, fixture(t, "stdoutflood.wasm")), runSpec{lim: limits.Limits{Log: logLimit}})
		if r.err != nil {
			t.Fatalf("Run = %v", r.err)
		}
		if got := r.proc.Info().Usage.LogBytes; got != logLimit {
			t.Errorf("log bytes kept = %d, want the limit %d", got, logLimit)
		}
		if !strings.HasPrefix(r.logText(), "flood flood") {
			t.Errorf("log starts %.40q", r.logText())
		}
	})
}

func conformLimits(t *testing.T, e Engine) {
	cases := []struct {
		fixture string
		lim     limits.Limits
		want    limits.ExceededError
	}{
		{"loop.wasm", limits.Limits{CPUTime: 200 * time.Millisecond}, limits.ExceededError{Limit: "cpu_time", Value: "200ms"}},
		{"loop.wasm", limits.Limits{WallTime: 200 * time.Millisecond}, limits.ExceededError{Limit: "wall_time", Value: "200ms"}},
		{"syscallflood.wasm", limits.Limits{CPUTime: 200 * time.Millisecond}, limits.ExceededError{Limit: "cpu_time", Value: "200ms"}},
		{"sleep.wasm", limits.Limits{WallTime: 100 * time.Millisecond}, limits.ExceededError{Limit: "wall_time", Value: "100ms"}},
		{"growbomb.wasm", limits.Limits{Memory: 1 << 20}, limits.ExceededError{Limit: "memory", Value: "1 MiB"}},
		{"minimal.wasm", limits.Limits{Memory: 32 << 10}, limits.ExceededError{Limit: "memory", Value: "0 B"}},
		{"recursion.wasm", limits.Limits{}, limits.ExceededError{Limit: "stack"}},
	}
	for _, c := range cases {
		t.Run(c.fixture+"/"+c.want.Limit, func(t *testing.T) {
			r := runModule(t, compile(t, e, fixture(t, c.fixture)), runSpec{lim: c.lim})
			var got *limits.ExceededError
			if !errors.As(r.err, &got) {
				t.Fatalf("Run = %v, want a %s ExceededError", r.err, c.want.Limit)
			}
			if got.Limit != c.want.Limit || (c.want.Value != "" && got.Value != c.want.Value) {
				t.Errorf("Run = %v, want %v", got, &c.want)
			}
			// A time limit must end the agent soon after it passes. The other limits end it
			// when it reaches them, after as much work as getting there takes (recursing to
			// the stack limit: seconds under -race on a loaded machine), so no clock bound.
			timed := c.lim.CPUTime > 0 || c.lim.WallTime > 0
			if timed && r.elapsed > 5*time.Second {
				t.Errorf("the limit took %v to end the agent", r.elapsed)
			}
		})
	}
	t.Run("a failed memory.grow is the agent's to handle", func(t *testing.T) {
		r := runModule(t, compile(t, e, fixture(t, "growfail.wasm")), runSpec{lim: limits.Limits{Memory: 1 << 20}})
		if r.err != nil {
			t.Fatalf("Run = %v, want nil: the agent handles memory.grow returning -1", r.err)
		}
		if out := string(r.proc.OutputBytes()); out != "grow refused at 16" {
			t.Errorf("output = %q, want the grow refused at 16 pages (1 MiB)", out)
		}
		if !r.report.MemoryLimitReached {
			t.Error("RunReport.MemoryLimitReached = false, want true")
		}
	})
	t.Run("a trap after a failed memory.grow is the memory limit", func(t *testing.T) {
		r := runModule(t, compile(t, e, fixture(t, "growbomb.wasm")), runSpec{lim: limits.Limits{Memory: 1 << 20}})
		var ex *limits.ExceededError
		if !errors.As(r.err, &ex) || ex.Limit != "memory" || !r.report.MemoryLimitReached {
			t.Errorf("Run = %v, %+v; want the memory limit, reached", r.err, r.report)
		}
	})
	t.Run("the memory limit not reached", func(t *testing.T) {
		r := runModule(t, compile(t, e, fixture(t, "minimal.wasm")), runSpec{lim: limits.Limits{Memory: 1 << 20}})
		if r.err != nil || r.report.MemoryLimitReached {
			t.Errorf("Run = %v, %+v; want nil and the limit not reached", r.err, r.report)
		}
	})
	t.Run("blocked time is not active time", func(t *testing.T) {
		r := runModule(t, compile(t, e, fixture(t, "sleep.wasm")), runSpec{lim: limits.Limits{CPUTime: 100 * time.Millisecond}})
		if r.err != nil {
			t.Errorf("Run = %v, want nil: sleeping 300 ms is no active time", r.err)
		}
		if r.elapsed < 300*time.Millisecond {
			t.Errorf("sleep returned after %v", r.elapsed)
		}
	})
}

func conformGoProgram(t *testing.T, goProg Module) {
	r := runModule(t, goProg, runSpec{
		input: []byte("hello stdin"), args: []string{"a", "b"}, env: []string{"GREETING=hi"},
	})
	var exit *hostcalls.ExitError
	if !errors.As(r.err, &exit) || exit.Code != 3 {
		t.Fatalf("Run = %v, want exit status 3; log:\n%s", r.err, r.logText())
	}
	want := "args=a,b\nenv=hi\nstdin=hello stdin\nrand-in-range=true\nclock-advances=true"
	if got := r.logText(); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}

// conformSideBySide runs agents that break two different limits beside a Go program: each
// breaker ends alone with its own limit, and the Go program finishes as if alone.
func conformSideBySide(t *testing.T, e Engine, goProg Module) {
	loop := compile(t, e, fixture(t, "loop.wasm"))
	bomb := compile(t, e, fixture(t, "growbomb.wasm"))
	runs := make([]*agentRun, 3)
	var wg sync.WaitGroup
	for i, f := range []func() *agentRun{
		func() *agentRun {
			return runModule(t, loop, runSpec{lim: limits.Limits{CPUTime: 300 * time.Millisecond}})
		},
		func() *agentRun { return runModule(t, bomb, runSpec{lim: limits.Limits{Memory: 2 << 20}}) },
		func() *agentRun { return runModule(t, goProg, runSpec{args: []string{"x"}}) },
	} {
		wg.Go(func() { runs[i] = f() })
	}
	wg.Wait()
	for i, want := range []string{"cpu_time", "memory"} {
		var ex *limits.ExceededError
		if !errors.As(runs[i].err, &ex) || ex.Limit != want {
			t.Errorf("agent %d: Run = %v, want %s exceeded", i, runs[i].err, want)
		}
	}
	var exit *hostcalls.ExitError
	if !errors.As(runs[2].err, &exit) || exit.Code != 3 || !strings.Contains(runs[2].logText(), "args=x\n") {
		t.Errorf("Go program: Run = %v, log:\n%s", runs[2].err, runs[2].logText())
	}
}

func conformConcurrent(t *testing.T, e Engine) {
	m := compile(t, e, fixture(t, "minimal.wasm"))
	var wg sync.WaitGroup
	runs := make([]*agentRun, 16)
	for i := range runs {
		wg.Go(func() { runs[i] = runModule(t, m, runSpec{}) })
	}
	wg.Wait()
	for i, r := range runs {
		if r.err != nil || string(r.proc.OutputBytes()) != "hello from wasm" {
			t.Errorf("run %d: err %v, output %q", i, r.err, r.proc.OutputBytes())
		}
	}
}

func conformCancel(t *testing.T, e Engine) {
	m := compile(t, e, fixture(t, "loop.wasm"))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	r := runModule(t, m, runSpec{ctx: ctx})
	var ex *limits.ExceededError
	if !errors.Is(r.err, context.Canceled) || errors.As(r.err, &ex) {
		t.Errorf("Run = %v, want a cancellation", r.err)
	}
}

// testEngine returns a constructor of the engine called name (NewEngine) for tests: the engine
// is closed when the test ends, and a failure to close it fails the test.
func testEngine(name string) func(t *testing.T) Engine {
	return func(t *testing.T) Engine {
		t.Helper()
		e, err := NewEngine(context.Background(), name, Config{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := e.Close(context.Background()); err != nil {
				t.Error(err)
			}
		})
		return e
	}
}
