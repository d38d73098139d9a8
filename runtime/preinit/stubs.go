package preinit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"

	"github.com/tetratelabs/wazero/api"

	"github.com/aiosys/aios/hostcalls"
)

// WASI errno values the fixed answers use.
const (
	errnoSuccess = 0
	errnoBadf    = 8
	errnoInval   = 28
)

// clockStep is how far the fixed clock moves at each reading, so code that waits for the
// clock to advance ends.
const clockStep = 1000

// recorder answers the system calls a module makes during initialisation. Calls whose answer
// aios fixes (a standard file descriptor's status, no preopened directories) get that answer;
// the arguments and the environment are empty; the clocks and the random generator are
// functions of the module (a fixed clock, a generator seeded from its digest). Any other call
// would make the snapshot depend on one run, or lose an effect, so it refuses the module.
type recorder struct {
	seed    [sha256.Size]byte
	block   uint64 // random blocks handed out
	clock   uint64
	fixed   map[string]int // calls answered from the module alone, by name
	refusal *RefusedError
}

func newRecorder(digest [sha256.Size]byte) *recorder {
	return &recorder{
		seed:  sha256.Sum256(append([]byte("aios preinit random\x00"), digest[:]...)),
		fixed: map[string]int{},
	}
}

// refuse records why the module is refused and ends initialisation.
func (r *recorder) refuse(call, reason string) {
	if r.refusal == nil {
		r.refusal = &RefusedError{Call: call, Reason: reason}
	}
	panic(r.refusal)
}

// effectful refuses a call whose answer differs per run or which has an effect.
func (r *recorder) effectful(call, detail string) {
	r.refuse(call, fmt.Sprintf("_initialize called %s%s, a system call whose result differs from run to run or "+
		"that has an effect; move it from initialisation (init functions, package-level variables) into aios_main",
		call, detail))
}

// FixedCall is a system call that pre-initialisation answered from the module alone.
type FixedCall struct {
	Call  string // "module.name"
	Count int
}

func (r *recorder) fixedCalls() []FixedCall {
	out := make([]FixedCall, 0, len(r.fixed))
	for c, n := range r.fixed {
		out = append(out, FixedCall{Call: c, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Call < out[j].Call })
	return out
}

// handler returns the stub for the import module.name.
func (r *recorder) handler(module, name string) api.GoModuleFunc {
	call := module + "." + name
	if module != hostcalls.ModuleWASI {
		return func(context.Context, api.Module, []uint64) { r.effectful(call, "") }
	}
	fixed := func(mem api.Memory, stack []uint64, answer func(mem api.Memory, p []uint64) uint32) {
		r.fixed[call]++
		stack[0] = uint64(answer(mem, stack))
	}
	var answer func(mem api.Memory, p []uint64) uint32
	switch name {
	case "args_sizes_get", "environ_sizes_get":
		answer = func(mem api.Memory, p []uint64) uint32 {
			r.write(call, mem, p[0], make([]byte, 4))
			r.write(call, mem, p[1], make([]byte, 4))
			return errnoSuccess
		}
	case "args_get", "environ_get", "sched_yield":
		answer = func(api.Memory, []uint64) uint32 { return errnoSuccess }
	case "clock_time_get":
		answer = func(mem api.Memory, p []uint64) uint32 {
			if id := uint32(p[0]); id > 1 {
				return errnoInval
			}
			r.clock += clockStep
			r.write(call, mem, p[2], binary.LittleEndian.AppendUint64(nil, r.clock))
			return errnoSuccess
		}
	case "clock_res_get":
		answer = func(mem api.Memory, p []uint64) uint32 {
			if id := uint32(p[0]); id > 1 {
				return errnoInval
			}
			r.write(call, mem, p[1], binary.LittleEndian.AppendUint64(nil, 1))
			return errnoSuccess
		}
	case "random_get":
		answer = func(mem api.Memory, p []uint64) uint32 {
			r.write(call, mem, p[0], r.random(call, uint32(p[1]), mem.Size()))
			return errnoSuccess
		}
	case "fd_fdstat_get":
		answer = func(mem api.Memory, p []uint64) uint32 {
			fd := uint32(p[0])
			if fd > 2 {
				return errnoBadf
			}
			r.write(call, mem, p[1], fdstat(fd))
			return errnoSuccess
		}
	case "fd_prestat_get", "fd_prestat_dir_name":
		answer = func(api.Memory, []uint64) uint32 { return errnoBadf }
	case "fd_close", "fd_fdstat_set_flags":
		answer = func(_ api.Memory, p []uint64) uint32 {
			if uint32(p[0]) > 2 {
				return errnoBadf
			}
			return errnoSuccess
		}
	case "fd_write":
		return func(_ context.Context, mod api.Module, stack []uint64) {
			r.fdWrite(call, mod.Memory(), stack)
		}
	case "proc_exit":
		return func(_ context.Context, _ api.Module, stack []uint64) {
			r.refuse(call, "_initialize called proc_exit("+strconv.FormatUint(uint64(uint32(stack[0])), 10)+
				"): the program ended during initialisation (a Go reactor must not call os.Exit, log.Fatal "+
				"or panic in init; do that work in aios_main)")
		}
	default:
		return func(context.Context, api.Module, []uint64) { r.effectful(call, "") }
	}
	return func(_ context.Context, mod api.Module, stack []uint64) { fixed(mod.Memory(), stack, answer) }
}

// fdWrite allows writes of nothing (with the answer aios gives) and refuses any other,
// quoting what the module tried to write: often a panic message.
func (r *recorder) fdWrite(call string, mem api.Memory, p []uint64) {
	fd, iovs, n, nwritten := uint32(p[0]), uint32(p[1]), uint32(p[2]), uint32(p[3])
	if uint64(n)*8 > uint64(mem.Size()) {
		r.refuse(call, fmt.Sprintf("_initialize called %s with %d iovecs, more than its memory holds", call, n))
	}
	var text []byte
	total := uint64(0)
	for i := range uint64(n) {
		iov, ok := mem.Read(uint32(min(uint64(iovs)+8*i, 1<<32-1)), 8)
		if !ok {
			r.refuse(call, "_initialize called "+call+" with an iovec outside its memory")
		}
		ptr, l := binary.LittleEndian.Uint32(iov), binary.LittleEndian.Uint32(iov[4:])
		total += uint64(l)
		if b, ok := mem.Read(ptr, l); ok && len(text) < 200 {
			text = append(text, b[:min(len(b), 200-len(text))]...)
		}
	}
	if total > 0 {
		r.effectful(call, fmt.Sprintf(" (%d bytes to fd %d: %q)", total, fd, text))
	}
	if fd > 2 {
		p[0] = errnoBadf
		return
	}
	r.fixed[call]++
	r.write(call, mem, uint64(nwritten), make([]byte, 4))
	p[0] = errnoSuccess
}

// write copies b into memory at off, refusing the module if it passed a bad pointer.
func (r *recorder) write(call string, mem api.Memory, off uint64, b []byte) {
	if off > 0xffffffff || !mem.Write(uint32(off), b) {
		r.refuse(call, fmt.Sprintf("_initialize called %s with a pointer outside its memory (%d)", call, off))
	}
}

// random returns n bytes of the module's generator: SHA-256 of its seed and a block counter.
func (r *recorder) random(call string, n uint32, memSize uint32) []byte {
	if n > memSize {
		r.refuse(call, fmt.Sprintf("_initialize called %s for %d bytes, more than its memory", call, n))
	}
	out := make([]byte, 0, n+sha256.Size)
	for uint32(len(out)) < n {
		var ctr [8]byte
		binary.LittleEndian.PutUint64(ctr[:], r.block)
		r.block++
		block := sha256.Sum256(append(r.seed[:], ctr[:]...))
		out = append(out, block[:]...)
	}
	return out[:n]
}

// fdstat is fd_fdstat_get's answer for a standard fd, as hostcalls gives it: a character
// device, readable (fd 0) or writable, pollable.
func fdstat(fd uint32) []byte {
	const (
		charDevice = 2
		rightRead  = 1 << 1
		rightWrite = 1 << 6
		rightPoll  = 1 << 27
	)
	st := make([]byte, 24)
	st[0] = charDevice
	rights := uint64(rightWrite | rightPoll)
	if fd == 0 {
		rights = rightRead | rightPoll
	}
	binary.LittleEndian.PutUint64(st[8:], rights)
	return st
}
