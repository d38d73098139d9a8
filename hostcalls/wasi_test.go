package hostcalls

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
)

// putIovecs writes iovecs for bufs at iovAt, the data from dataAt, and returns iovAt.
func (e *env) putIovecs(iovAt, dataAt uint32, bufs ...[]byte) uint64 {
	for i, b := range bufs {
		binary.LittleEndian.PutUint32(e.mem.b[iovAt+8*uint32(i):], dataAt)
		binary.LittleEndian.PutUint32(e.mem.b[iovAt+8*uint32(i)+4:], uint32(len(b)))
		copy(e.mem.b[dataAt:], b)
		dataAt += uint32(len(b))
	}
	return uint64(iovAt)
}

func TestFdWriteLineBuffersIntoTheLog(t *testing.T) {
	e := newEnv(t)
	iov := e.putIovecs(reqAt, bufAt, []byte("hello\nwor"))
	if got := e.wasi("fd_write", 1, iov, 1, outAt); got != 0 || e.u32(outAt) != 9 {
		t.Fatalf("fd_write = %d, nwritten %d", got, e.u32(outAt))
	}
	iov = e.putIovecs(reqAt, bufAt, []byte("ld"), []byte("\n\ntail"))
	if got := e.wasi("fd_write", 1, iov, 2, outAt); got != 0 || e.u32(outAt) != 8 {
		t.Fatalf("fd_write = %d, nwritten %d", got, e.u32(outAt))
	}
	iov = e.putIovecs(reqAt, bufAt, []byte("oops\n"))
	e.wasi("fd_write", 2, iov, 1, outAt)
	e.g.Close()
	want := []kernel.Event{{Level: 1, Text: "hello"}, {Level: 1, Text: "world"}, {Level: 1, Text: ""}, {Level: 2, Text: "oops"}, {Level: 1, Text: "tail"}}
	got := e.logLines()
	if len(got) != len(want) {
		t.Fatalf("log = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Level != want[i].Level || got[i].Text != want[i].Text {
			t.Fatalf("log line %d = %d %q, want %d %q", i, got[i].Level, got[i].Text, want[i].Level, want[i].Text)
		}
	}
}

func TestFdWriteLongLineIsSplit(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.memLen = 256 << 10 })
	iov := e.putIovecs(reqAt, bufAt, bytes.Repeat([]byte("x"), maxLine+10))
	if got := e.wasi("fd_write", 1, iov, 1, outAt); got != 0 {
		t.Fatalf("fd_write = %d", got)
	}
	if lines := e.logLines(); len(lines) != 1 || len(lines[0].Text) != maxLine {
		t.Fatalf("a line longer than %d bytes was not split at it: %d lines", maxLine, len(lines))
	}
}

func TestFdWriteErrors(t *testing.T) {
	e := newEnv(t)
	iov := e.putIovecs(reqAt, bufAt, []byte("x"))
	for _, tt := range []struct {
		name string
		args []uint64
		want wasiErrno
	}{
		{"stdin", []uint64{0, iov, 1, outAt}, wasiEBADF},
		{"a file", []uint64{3, iov, 1, outAt}, wasiEBADF},
		{"iovec array wraps", []uint64{1, 0xFFFF_FFF8, 2, outAt}, wasiEFAULT},
		{"nwritten out of range", []uint64{1, iov, 1, 0xFFFF_FFFE}, wasiEFAULT},
	} {
		if got := e.wasi("fd_write", tt.args...); got != tt.want {
			t.Errorf("fd_write %s = %d, want %d", tt.name, got, tt.want)
		}
	}
	binary.LittleEndian.PutUint32(e.mem.b[reqAt:], 0x10)
	binary.LittleEndian.PutUint32(e.mem.b[reqAt+4:], 0xFFFF_FFFF)
	if got := e.wasi("fd_write", 1, reqAt, 1, outAt); got != wasiEFAULT {
		t.Errorf("fd_write of a huge iovec = %d, want EFAULT", got)
	}
	if len(e.logLines()) != 0 {
		t.Fatalf("failed writes logged %+v", e.logLines())
	}
}

func TestFdReadReadsTheInput(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.spec.Input = []byte("abcdef") })
	iov := e.putIovecs(reqAt, bufAt, make([]byte, 4))
	for _, want := range []string{"abcd", "ef", ""} {
		if got := e.wasi("fd_read", 0, iov, 1, outAt); got != 0 {
			t.Fatalf("fd_read = %d", got)
		}
		n := e.u32(outAt)
		if got := string(e.mem.b[bufAt : bufAt+n]); got != want {
			t.Fatalf("fd_read gave %q, want %q", got, want)
		}
	}
	if got := e.wasi("fd_read", 1, iov, 1, outAt); got != wasiEBADF {
		t.Fatalf("fd_read(1) = %d, want EBADF", got)
	}
	binary.LittleEndian.PutUint32(e.mem.b[reqAt+4:], 0xFFFF_FFFF)
	if got := e.wasi("fd_read", 0, iov, 1, outAt); got != wasiEFAULT {
		t.Fatalf("fd_read into a huge iovec = %d, want EFAULT", got)
	}
}

func TestArgsAndEnviron(t *testing.T) {
	e := newEnv(t, func(c *envConfig) {
		c.spec.Args = []string{"--flag", "value"}
		c.spec.Env = []string{"A=1"}
	})
	tests := []struct {
		sizes, get string
		want       []string
	}{
		{"args_sizes_get", "args_get", []string{"agent", "--flag", "value"}},
		{"environ_sizes_get", "environ_get", []string{"A=1"}},
	}
	for _, tt := range tests {
		if got := e.wasi(tt.sizes, outAt, outAt+4); got != 0 {
			t.Fatalf("%s = %d", tt.sizes, got)
		}
		count, size := e.u32(outAt), e.u32(outAt+4)
		if int(count) != len(tt.want) || int(size) != len(joinNUL(tt.want)) {
			t.Fatalf("%s = %d, %d", tt.sizes, count, size)
		}
		if got := e.wasi(tt.get, outAt, bufAt); got != 0 {
			t.Fatalf("%s = %d", tt.get, got)
		}
		if got := string(e.mem.b[bufAt : bufAt+size]); got != joinNUL(tt.want) {
			t.Fatalf("%s buffer = %q", tt.get, got)
		}
		for i := range tt.want {
			p := e.u32(outAt + 4*uint32(i))
			if end := bytes.IndexByte(e.mem.b[p:], 0); string(e.mem.b[p:p+uint32(end)]) != tt.want[i] {
				t.Fatalf("%s pointer %d leads to %q", tt.get, i, e.mem.b[p:p+uint32(end)])
			}
		}
		if got := e.wasi(tt.get, outAt, 64<<10-2); got != wasiEFAULT {
			t.Fatalf("%s into a buffer past the end = %d, want EFAULT", tt.get, got)
		}
	}
}

func joinNUL(ss []string) string {
	var b []byte
	for _, s := range ss {
		b = append(append(b, s...), 0)
	}
	return string(b)
}

func TestClocks(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	e := newEnv(t, func(c *envConfig) { c.kopts = []kernel.Option{kernel.WithClock(func() time.Time { return now })} })
	if got := e.wasi("clock_time_get", clockRealtime, 1, outAt); got != 0 || e.u64(outAt) != uint64(now.UnixNano()) {
		t.Fatalf("realtime = %d, %d; want %d", got, e.u64(outAt), now.UnixNano())
	}
	now = now.Add(5 * time.Second)
	if got := e.wasi("clock_time_get", clockMonotonic, 1, outAt); got != 0 || e.u64(outAt) != uint64(5*time.Second) {
		t.Fatalf("monotonic = %d, %d; want 5s since the guest started", got, e.u64(outAt))
	}
	now = now.Add(-time.Hour)
	if e.wasi("clock_time_get", clockMonotonic, 1, outAt); e.u64(outAt) != uint64(5*time.Second) {
		t.Fatalf("monotonic went backwards to %d when the wall clock did", e.u64(outAt))
	}
	if got := e.wasi("clock_time_get", 2, 1, outAt); got != wasiEINVAL {
		t.Fatalf("clock_time_get(process cputime) = %d, want EINVAL", got)
	}
	if got := e.wasi("clock_res_get", clockMonotonic, outAt); got != 0 || e.u64(outAt) != 1 {
		t.Fatalf("clock_res_get = %d, %d", got, e.u64(outAt))
	}
	if got := e.wasi("clock_time_get", clockRealtime, 1, 0xFFFF_FFFC); got != wasiEFAULT {
		t.Fatalf("clock_time_get to a bad pointer = %d, want EFAULT", got)
	}
}

func TestMonotonicUsesGoMonotonicReading(t *testing.T) {
	e := newEnv(t)
	e.wasi("clock_time_get", clockMonotonic, 1, outAt)
	first := e.u64(outAt)
	time.Sleep(2 * time.Millisecond)
	e.wasi("clock_time_get", clockMonotonic, 1, outAt)
	if d := e.u64(outAt) - first; d < uint64(2*time.Millisecond) || d > uint64(time.Minute) {
		t.Fatalf("monotonic advanced %d ns over a 2ms sleep", d)
	}
}

func TestRandomIsPerAgentAndSeeded(t *testing.T) {
	draw := func(seed uint64) []byte {
		e := newEnv(t, func(c *envConfig) {
			c.spec.Seed = seed
			c.memLen = 128 << 10
		})
		if got := e.wasi("random_get", bufAt, 10000); got != 0 {
			t.Fatalf("random_get = %d", got)
		}
		if got := e.wasi("random_get", 0xFFFF_FF00, 0x200); got != wasiEFAULT {
			t.Fatalf("random_get wrapping past 2^32 = %d, want EFAULT", got)
		}
		return bytes.Clone(e.mem.b[bufAt : bufAt+10000])
	}
	a, b, c := draw(7), draw(7), draw(8)
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different bytes")
	}
	if bytes.Equal(a, c) || bytes.Equal(a, make([]byte, len(a))) {
		t.Fatal("random bytes do not depend on the seed")
	}
}

// putClockSub writes a relative clock subscription with userdata at i of the array at at.
func (e *env) putSub(at uint32, i int, userdata uint64, tag byte, clockOrFD uint32, timeout time.Duration) {
	s := e.mem.b[at+uint32(i)*subscriptionSize:]
	clear(s[:subscriptionSize])
	binary.LittleEndian.PutUint64(s, userdata)
	s[subTagOffset] = tag
	binary.LittleEndian.PutUint32(s[subClockIDOffset:], clockOrFD)
	binary.LittleEndian.PutUint64(s[subTimeoutOffset:], uint64(timeout))
}

func TestPollOneoffSleeps(t *testing.T) {
	e := newEnv(t)
	e.putSub(reqAt, 0, 11, eventClock, clockMonotonic, 20*time.Millisecond)
	e.putSub(reqAt, 1, 22, eventClock, clockMonotonic, time.Hour)
	start := time.Now()
	if got := e.wasi("poll_oneoff", reqAt, bufAt, 2, outAt); got != 0 {
		t.Fatalf("poll_oneoff = %d", got)
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Fatalf("poll_oneoff returned after %v", time.Since(start))
	}
	if n := e.u32(outAt); n != 1 || e.u64(bufAt) != 11 || e.mem.b[bufAt+eventTypeOffset] != eventClock {
		t.Fatalf("events = %d, first userdata %d", n, e.u64(bufAt))
	}
	if e.g.BlockedTime() < 20*time.Millisecond {
		t.Fatalf("BlockedTime = %v after a 20ms sleep", e.g.BlockedTime())
	}
}

func TestPollOneoffFDsAreReadyAtOnce(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.spec.Input = []byte("12345") })
	e.putSub(reqAt, 0, 1, eventClock, clockMonotonic, time.Hour)
	e.putSub(reqAt, 1, 2, eventFDRead, 0, 0)
	e.putSub(reqAt, 2, 3, eventFDWrite, 9, 0)
	if got := e.wasi("poll_oneoff", reqAt, bufAt, 3, outAt); got != 0 {
		t.Fatalf("poll_oneoff = %d", got)
	}
	if n := e.u32(outAt); n != 2 {
		t.Fatalf("%d events, want the two fd subscriptions", n)
	}
	ev0, ev1 := e.mem.b[bufAt:], e.mem.b[bufAt+eventSize:]
	if binary.LittleEndian.Uint64(ev0) != 2 || binary.LittleEndian.Uint64(ev0[eventNBytesOffset:]) != 5 {
		t.Fatalf("stdin event: userdata %d nbytes %d", binary.LittleEndian.Uint64(ev0), binary.LittleEndian.Uint64(ev0[eventNBytesOffset:]))
	}
	if binary.LittleEndian.Uint64(ev1) != 3 || binary.LittleEndian.Uint16(ev1[eventErrorOffset:]) != uint16(wasiEBADF) {
		t.Fatalf("fd 9 event: userdata %d error %d", binary.LittleEndian.Uint64(ev1), binary.LittleEndian.Uint16(ev1[eventErrorOffset:]))
	}
	if got := e.wasi("poll_oneoff", reqAt, bufAt, 0, outAt); got != wasiEINVAL {
		t.Fatalf("poll_oneoff with no subscriptions = %d, want EINVAL", got)
	}
	if got := e.wasi("poll_oneoff", reqAt, 0xFFFF_FFF0, 1, outAt); got != wasiEFAULT {
		t.Fatalf("poll_oneoff with events past 2^32 = %d, want EFAULT", got)
	}
}

func TestPollOneoffEndsOnCancellation(t *testing.T) {
	e := newEnv(t)
	e.putSub(reqAt, 0, 1, eventClock, clockMonotonic, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.callCtx(ctx, ModuleWASI, "poll_oneoff", reqAt, bufAt, 1, outAt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("poll_oneoff under a cancelled context = %v, want a trap wrapping context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Fatalf("cancellation took %v", time.Since(start))
	}
}

func TestProcExit(t *testing.T) {
	e := newEnv(t)
	_, err := e.callCtx(context.Background(), ModuleWASI, "proc_exit", 3)
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 3 || exit.Error() != "exit status 3" {
		t.Fatalf("proc_exit(3) = %v", err)
	}
}

func TestWASIWithoutFilesOrSockets(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		args []uint64
		want wasiErrno
	}{
		{"sched_yield", nil, 0},
		{"fd_close", []uint64{1}, 0},
		{"fd_close", []uint64{3}, wasiEBADF},
		{"fd_fdstat_set_flags", []uint64{1, 0}, 0},
		{"fd_prestat_get", []uint64{3, outAt}, wasiEBADF},
		{"fd_prestat_get", []uint64{0, outAt}, wasiEBADF},
		{"fd_fdstat_get", []uint64{3, outAt}, wasiEBADF},
		{"fd_seek", []uint64{1, 0, 0, outAt}, wasiEPERM},
		{"fd_seek", []uint64{4, 0, 0, outAt}, wasiEBADF},
		{"path_open", []uint64{3, 0, reqAt, 4, 0, 0, 0, 0, outAt}, wasiEBADF},
		{"path_open", []uint64{0, 0, reqAt, 4, 0, 0, 0, 0, outAt}, wasiEPERM},
		{"path_symlink", []uint64{reqAt, 4, 5, reqAt, 4}, wasiEBADF},
		{"sock_accept", []uint64{3, 0, outAt}, wasiENOSYS},
		{"sock_send", []uint64{3, 0, 0, 0, outAt}, wasiENOSYS},
		{"proc_raise", []uint64{9}, wasiENOSYS},
	}
	for _, tt := range tests {
		if got := e.wasi(tt.name, tt.args...); got != tt.want {
			t.Errorf("%s%v = %d, want %d", tt.name, tt.args, got, tt.want)
		}
	}
	if got := e.wasi("fd_fdstat_get", 1, outAt); got != 0 || e.mem.b[outAt] != filetypeCharDevice {
		t.Fatalf("fd_fdstat_get(1) = %d, filetype %d", got, e.mem.b[outAt])
	}
	if got := e.wasi("fd_filestat_get", 2, bufAt); got != 0 || e.mem.b[bufAt+16] != filetypeCharDevice {
		t.Fatalf("fd_filestat_get(2) = %d, filetype %d", got, e.mem.b[bufAt+16])
	}
}
