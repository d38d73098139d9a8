package hostcalls

import (
	"context"
	"time"
)

// WASI clock ids.
const (
	clockRealtime  = 0
	clockMonotonic = 1
)

// randomChunk is how many random bytes random_get produces per step; it bounds the host
// buffer whatever length the guest asks for.
const randomChunk = 4096

func wasiClockCalls() []Func {
	return []Func{
		wasiFunc("clock_res_get", params(I32, I32), clockResGet),
		wasiFunc("clock_time_get", params(I32, I64, I32), clockTimeGet),
		wasiFunc("random_get", params(I32, I32), randomGet),
		wasiFunc("poll_oneoff", params(I32, I32, I32, I32), pollOneoff),
	}
}

// clockResGet implements clock_res_get(id, resolution): both clocks report nanoseconds.
func clockResGet(_ context.Context, _ *Guest, mem Memory, p []uint64) error {
	switch uint32(p[0]) {
	case clockRealtime, clockMonotonic:
		return writeU64(mem, p[1], 1)
	default:
		return wasiEINVAL
	}
}

// clockTimeGet implements clock_time_get(id, precision, time) from the kernel's clock.
func clockTimeGet(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	t, ok := g.clockNow(uint32(p[0]))
	if !ok {
		return wasiEINVAL
	}
	return writeU64(mem, p[2], uint64(t))
}

// clockNow reads clock id in nanoseconds: realtime since the Unix epoch, monotonic since the
// guest started.
func (g *Guest) clockNow(id uint32) (int64, bool) {
	switch id {
	case clockRealtime:
		return max(g.proc.Now().UnixNano(), 0), true
	case clockMonotonic:
		return g.monotonic(), true
	default:
		return 0, false
	}
}

// monotonic is the time since the guest started, using Go's monotonic reading when the
// kernel's clock carries one, and never smaller than a reading already handed out.
func (g *Guest) monotonic() int64 {
	d := int64(max(g.proc.Now().Sub(g.start), 0))
	for {
		last := g.mono.Load()
		if d <= last {
			return last
		}
		if g.mono.CompareAndSwap(last, d) {
			return d
		}
	}
}

// randomGet implements random_get(buf, buf_len) from the process's generator.
func randomGet(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	ptr, n := p[0], p[1]
	if err := checkRange(mem, ptr, n); err != nil {
		return err
	}
	var buf [randomChunk]byte
	for off := uint64(0); off < n; off += randomChunk {
		b := buf[:min(n-off, randomChunk)]
		g.proc.Random(b)
		if err := write(mem, ptr+off, b); err != nil {
			return err
		}
	}
	return nil
}

// sleep blocks for d, counting it as blocked time. It ends early with an error when ctx is
// done or the guest is closed.
func (g *Guest) sleep(ctx context.Context, d time.Duration) error {
	unblock := g.block()
	defer unblock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-g.ctx.Done():
		return context.Canceled
	}
}
