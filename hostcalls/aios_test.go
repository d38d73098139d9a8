package hostcalls

import (
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
)

func TestABIVersion(t *testing.T) {
	tests := []struct {
		major, minor uint64
		want         Errno
	}{
		{1, 0, OK},
		{1, 1, OK},
		{1, 2, OK},
		{1, 3, OK},
		{1, 4, OK},
		{1, 5, ENOTSUP},
		{1, 99, ENOTSUP},
		{2, 0, ENOTSUP},
		{0, 0, ENOTSUP},
		{1 << 31, 0, ENOTSUP},
	}
	for _, tt := range tests {
		e := newEnv(t)
		if got := e.aios("abi_version", tt.major, tt.minor); got != tt.want {
			t.Errorf("abi_version(%d, %d) = %v, want %v", tt.major, tt.minor, got, tt.want)
		}
		if tt.want == OK {
			if maj, min := e.g.ABIVersion(); uint64(maj) != tt.major || uint64(min) != tt.minor {
				t.Errorf("after abi_version(%d, %d) the guest's version is %d.%d", tt.major, tt.minor, maj, min)
			}
			continue
		}
		le := e.lastErr()
		if le.Code != ENOTSUP || le.Name != "ENOTSUP" || le.Call != "abi_version" || le.Message == "" {
			t.Errorf("last_error after abi_version(%d, %d) = %+v", tt.major, tt.minor, le)
		}
		if maj, min := e.g.ABIVersion(); maj != 1 || min != 0 {
			t.Errorf("a refused negotiation changed the version to %d.%d", maj, min)
		}
	}
}

func TestLastErrorNoneIsENOENT(t *testing.T) {
	e := newEnv(t)
	if got := e.aios("last_error", outAt); got != ENOENT {
		t.Fatalf("last_error with no failure = %v, want ENOENT", got)
	}
	if got := e.aios("result_drop", 77); got != EBADF {
		t.Fatalf("result_drop(77) = %v, want EBADF", got)
	}
	if le := e.lastErr(); le.Call != "result_drop" || le.Code != EBADF {
		t.Fatalf("last_error = %+v, want result_drop's EBADF", le)
	}
}

func TestInputIsAOneShotResult(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.spec.Input = []byte("hello input") })
	if got := e.aios("input", outAt); got != OK {
		t.Fatalf("input = %v", got)
	}
	rid, n := e.u32(outAt), e.u32(outAt+4)
	if n != uint32(len("hello input")) {
		t.Fatalf("result len = %d", n)
	}
	if got := e.aios("result_read", uint64(rid), bufAt, uint64(n-1)); got != ERANGE {
		t.Fatalf("result_read into a short buffer = %v, want ERANGE", got)
	}
	if got := e.aios("result_read", uint64(rid), bufAt, uint64(n)); got != OK {
		t.Fatalf("result_read = %v", got)
	}
	if got := string(e.mem.b[bufAt : bufAt+n]); got != "hello input" {
		t.Fatalf("result = %q", got)
	}
	if got := e.aios("result_read", uint64(rid), bufAt, uint64(n)); got != EBADF {
		t.Fatalf("second result_read = %v, want EBADF", got)
	}
}

func TestEmptyInputIsAnEmptyResult(t *testing.T) {
	e := newEnv(t)
	if got := e.aios("input", outAt); got != OK {
		t.Fatalf("input = %v", got)
	}
	if n := e.u32(outAt + 4); n != 0 {
		t.Fatalf("len = %d, want 0", n)
	}
	if got := e.aios("result_read", uint64(e.u32(outAt)), 0, 0); got != OK {
		t.Fatalf("result_read of an empty result = %v", got)
	}
}

func TestResultTableHoldsAtMost64(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.spec.Input = []byte("x") })
	var first uint32
	for i := range MaxResults {
		if got := e.aios("input", outAt); got != OK {
			t.Fatalf("input #%d = %v", i, got)
		}
		if i == 0 {
			first = e.u32(outAt)
		}
	}
	if got := e.aios("input", outAt); got != ELIMIT {
		t.Fatalf("input #65 = %v, want ELIMIT", got)
	}
	if got := e.aios("result_drop", uint64(first)); got != OK {
		t.Fatalf("result_drop = %v", got)
	}
	if got := e.aios("input", outAt); got != OK {
		t.Fatalf("input after a drop = %v", got)
	}
}

func TestResultLargerThanResponseLimit(t *testing.T) {
	e := newEnv(t, func(c *envConfig) {
		c.spec.Input = make([]byte, 100)
		c.lim = limits.Limits{Response: 99}
	})
	if got := e.aios("input", outAt); got != E2BIG {
		t.Fatalf("input of 100 bytes under a 99-byte response limit = %v, want E2BIG", got)
	}
}

func TestOutput(t *testing.T) {
	e := newEnv(t, func(c *envConfig) {
		c.spec.Limits = kernel.Limits{Output: 8}
		c.lim = limits.Limits{Request: 16}
	})
	ptr, n := e.put(reqAt, []byte("hello"))
	if got := e.aios("output", ptr, n); got != OK {
		t.Fatalf("output = %v", got)
	}
	if got := e.aios("output", ptr, n); got != ELIMIT {
		t.Fatalf("output past the output limit = %v, want ELIMIT", got)
	}
	if got := e.aios("output", ptr, 17); got != E2BIG {
		t.Fatalf("output past the request limit = %v, want E2BIG", got)
	}
	if got := string(e.proc.OutputBytes()); got != "hello" {
		t.Fatalf("output = %q, want nothing appended by the refused call", got)
	}
}

func TestLog(t *testing.T) {
	e := newEnv(t)
	ptr, n := e.put(reqAt, []byte("a warning"))
	if got := e.aios("log", 2, ptr, n); got != OK {
		t.Fatalf("log = %v", got)
	}
	if got := e.aios("log", 4, ptr, n); got != EINVAL {
		t.Fatalf("log at level 4 = %v, want EINVAL", got)
	}
	lines := e.logLines()
	if len(lines) != 1 || lines[0].Level != 2 || lines[0].Text != "a warning" {
		t.Fatalf("log lines = %+v", lines)
	}
}

func TestMemoryFaults(t *testing.T) {
	const size = 64 << 10
	tests := []struct {
		name string
		call string
		args []uint64
		want Errno
	}{
		{"output past the end", "output", []uint64{size - 2, 4}, EFAULT},
		{"output wrapping past 2^32", "output", []uint64{0xFFFF_FFF0, 0x20}, EFAULT},
		{"output pointer with high bits", "output", []uint64{1 << 32, 1}, EFAULT},
		{"output longer than the request limit", "output", []uint64{0, 0xFFFF_FFFF}, E2BIG},
		{"log wrapping past 2^32", "log", []uint64{1, 0xFFFF_FFFF, 2}, EFAULT},
		{"input out pointer at the edge", "input", []uint64{size - 4}, EFAULT},
		{"input out pointer at 2^32-1", "input", []uint64{0xFFFF_FFFF}, EFAULT},
		{"last_error out pointer past the end", "last_error", []uint64{size}, EFAULT},
		{"llm_generate request past the end", "llm_generate", []uint64{size - 1, 100, outAt}, EFAULT},
		{"wait handles wrapping past 2^32", "wait", []uint64{0xFFFF_FFFC, 2, 0, outAt}, EFAULT},
		{"submit handle_out past the end", "submit", []uint64{reqAt, 12, reqAt, 10, size - 3}, EFAULT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *envConfig) { c.memLen = size })
			if got := e.aios(tt.call, tt.args...); got != tt.want {
				t.Fatalf("%s%v = %v, want %v", tt.call, tt.args, got, tt.want)
			}
			if tt.call == "last_error" {
				return // last_error's own failures leave the last error alone
			}
			if le := e.lastErr(); le.Code != tt.want || le.Call != tt.call {
				t.Fatalf("last_error = %+v", le)
			}
		})
	}
}

func TestResultReadFaults(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.spec.Input = []byte("data") })
	e.aios("input", outAt)
	rid := uint64(e.u32(outAt))
	for _, args := range [][]uint64{
		{rid, 0xFFFF_FFF0, 0xFFFF_FFFF}, // a huge buffer length
		{rid, 64<<10 - 2, 4},            // a buffer past the end
		{rid, 0xFFFF_FFFE, 16},          // a buffer wrapping past 2^32
	} {
		if got := e.aios("result_read", args...); got != EFAULT {
			t.Fatalf("result_read%v = %v, want EFAULT", args, got)
		}
	}
	if got := e.aios("result_read", rid, bufAt, 4); got != OK {
		t.Fatalf("a fault released the result: result_read = %v", got)
	}
}

// TestLimitABI: a guest whose host is limited to an older minor version (the replay or resume
// of a run that host recorded) is refused what that host would have refused.
func TestLimitABI(t *testing.T) {
	e := newEnv(t)
	e.g.LimitABI(3)
	if got := e.aios("abi_version", 1, 4); got != ENOTSUP {
		t.Fatalf("abi_version(1, 4) under a 1.3 host = %v, want ENOTSUP", got)
	}
	if le := e.lastErr(); !strings.Contains(le.Message, "implements 1.3") {
		t.Fatalf("last_error %q does not name 1.3", le.Message)
	}
	if got := e.aios("abi_version", 1, 3); got != OK {
		t.Fatalf("abi_version(1, 3) under a 1.3 host = %v", got)
	}
	e = newEnv(t)
	e.g.LimitABI(ABIMinor + 1) // above this host: ignored
	if got := e.aios("abi_version", 1, ABIMinor); got != OK {
		t.Fatalf("abi_version(1, %d) after LimitABI above the host = %v", ABIMinor, got)
	}
}
