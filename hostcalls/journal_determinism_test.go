package hostcalls

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
)

// determinismSources are every source of anything a guest can observe through the virtual
// WASI and the ABI without a backend: each returns what the guest observed. A replay must
// observe the same, from the journal or from the run record (docs/DURABLE.md).
var determinismSources = map[string]func(e *env) []byte{
	"clock_res_get": func(e *env) []byte {
		e.wasi("clock_res_get", clockRealtime, outAt)
		e.wasi("clock_res_get", clockMonotonic, outAt+8)
		return e.observe(outAt, 16)
	},
	"clock_time_get realtime": func(e *env) []byte {
		e.wasi("clock_time_get", clockRealtime, 0, outAt)
		return e.observe(outAt, 8)
	},
	"clock_time_get monotonic": func(e *env) []byte {
		e.wasi("clock_time_get", clockMonotonic, 0, outAt)
		e.wasi("clock_time_get", clockMonotonic, 0, outAt+8)
		return e.observe(outAt, 16)
	},
	"random_get": func(e *env) []byte {
		e.wasi("random_get", outAt, 64)
		return e.observe(outAt, 64)
	},
	"poll_oneoff": func(e *env) []byte {
		e.putSub(reqAt, 0, 1, eventClock, clockMonotonic, time.Millisecond)
		e.putSub(reqAt, 1, 2, eventFDRead, 0, 0)
		e.putSub(reqAt, 2, 3, eventClock, clockRealtime, time.Hour)
		e.wasi("poll_oneoff", reqAt, bufAt, 3, outAt)
		return append(e.observe(outAt, 4), e.observe(bufAt, 3*eventSize)...)
	},
	"args": func(e *env) []byte {
		e.wasi("args_sizes_get", outAt, outAt+4)
		e.wasi("args_get", outAt+8, bufAt)
		return append(e.observe(outAt, 8), e.observe(bufAt, uint32(e.u32(outAt+4)))...)
	},
	"environ": func(e *env) []byte {
		e.wasi("environ_sizes_get", outAt, outAt+4)
		e.wasi("environ_get", outAt+8, bufAt)
		return append(e.observe(outAt, 8), e.observe(bufAt, uint32(e.u32(outAt+4)))...)
	},
	"fd stat": func(e *env) []byte {
		e.wasi("fd_fdstat_get", 0, outAt)
		e.wasi("fd_fdstat_get", 1, outAt+24)
		e.wasi("fd_filestat_get", 2, bufAt)
		return append(e.observe(outAt, 48), e.observe(bufAt, 64)...)
	},
	"stdin": func(e *env) []byte {
		iov := e.putIovecs(reqAt, bufAt, make([]byte, 64))
		e.wasi("fd_read", 0, iov, 1, outAt)
		return append(e.observe(outAt, 4), e.observe(bufAt, 64)...)
	},
	"input": func(e *env) []byte {
		e.aios("input", outAt)
		return e.takeResult(outAt)
	},
	"abi_version": func(e *env) []byte {
		return []byte{byte(e.aios("abi_version", 1, 3)), byte(e.aios("abi_version", 1, 99))}
	},
	"last_error of a journaled call": func(e *env) []byte {
		p, n := e.put(reqAt, generateBody("fail", false))
		e.aios("llm_generate", p, n, outAt)
		le := e.lastErr()
		return []byte(le.Name + le.Call + le.Message)
	},
}

func (e *env) observe(at, n uint32) []byte { return bytes.Clone(e.mem.b[at : at+n]) }

// tickingClock is a kernel clock starting at base that advances a millisecond a reading.
func tickingClock(base time.Time) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// TestReplayReproducesEverySource records each source on one clock and replays it on a clock
// a year later, with the run record's input, arguments, environment and seed.
func TestReplayReproducesEverySource(t *testing.T) {
	spec := kernel.Spec{Name: "agent", Input: []byte("the input\x00\n"), Args: []string{"-v", "x y"},
		Env: []string{"A=1", "B=\n"}, Seed: 99}
	for name, source := range determinismSources {
		t.Run(name, func(t *testing.T) {
			at := func(base time.Time) func(*envConfig) {
				return func(c *envConfig) {
					c.spec = spec
					c.kopts = []kernel.Option{kernel.WithClock(tickingClock(base))}
				}
			}
			live := newEnv(t, at(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
			j := &memJournal{}
			live.g.SetJournal(j)
			want := source(live)

			replay := newEnv(t, at(time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)))
			rj := &memJournal{replay: j.recorded, strict: true}
			replay.g.SetJournal(rj)
			got := source(replay)
			if !bytes.Equal(got, want) {
				t.Errorf("replay observed %x, the run observed %x", got, want)
			}
			if rj.next != len(j.recorded) {
				t.Errorf("replay used %d of %d journaled calls", rj.next, len(j.recorded))
			}
		})
	}
}

// TestClockSourcesDependOnTheClock shows that the test above is not vacuous: without the
// journal, two runs on the two clocks observe different times.
func TestClockSourcesDependOnTheClock(t *testing.T) {
	var seen [2][]byte
	for i, base := range []time.Time{time.Unix(1e9, 0), time.Unix(2e9, 0)} {
		e := newEnv(t, func(c *envConfig) {
			c.spec = kernel.Spec{Name: "agent", Seed: 1}
			c.kopts = []kernel.Option{kernel.WithClock(tickingClock(base))}
		})
		seen[i] = determinismSources["clock_time_get realtime"](e)
	}
	if bytes.Equal(seen[0], seen[1]) {
		t.Errorf("clock_time_get gave %x on two clocks", seen[0])
	}
}
