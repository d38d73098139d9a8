package hostcalls

import (
	"context"
	"errors"
	"slices"
	"strconv"
)

// wasiErrno is an errno of wasi_snapshot_preview1; its numbering differs from Errno's.
type wasiErrno uint32

// The WASI errno values the virtual subset returns.
const (
	wasiESUCCESS wasiErrno = 0
	wasiE2BIG    wasiErrno = 1
	wasiEBADF    wasiErrno = 8
	wasiEFAULT   wasiErrno = 21
	wasiEINVAL   wasiErrno = 28
	wasiEIO      wasiErrno = 29
	wasiENOSYS   wasiErrno = 52
	wasiEPERM    wasiErrno = 63
)

func (e wasiErrno) Error() string { return "wasi errno " + strconv.Itoa(int(e)) }

// wasiCall is the body of a WASI function. A nil error is success; a wasiErrno or *CallError
// becomes the function's errno; any other error ends the guest.
type wasiCall func(ctx context.Context, g *Guest, mem Memory, p []uint64) error

// wasiCalls returns every function of wasi_snapshot_preview1 with its exact signature.
func wasiCalls() []Func {
	return slices.Concat(wasiProcCalls(), wasiArgCalls(), wasiClockCalls(), wasiFDCalls(), wasiPathCalls(), wasiSockCalls())
}

// wasiFunc binds call as a WASI function returning an i32 errno.
func wasiFunc(name string, ps []ValueType, call wasiCall) Func {
	f := Func{Module: ModuleWASI, Name: name, Params: ps, Results: params(I32)}
	f.Handler = func(ctx context.Context, g *Guest, mem Memory, stack []uint64) error {
		if err := checkFrame(&f, g, mem, stack); err != nil {
			return err
		}
		code, err := wasiResult(call(ctx, g, mem, stack))
		if err != nil {
			return err
		}
		stack[0] = uint64(code)
		return nil
	}
	return f
}

// wasiResult splits a wasiCall's error into an errno or a trap.
func wasiResult(err error) (wasiErrno, error) {
	if err == nil {
		return wasiESUCCESS, nil
	}
	var we wasiErrno
	var ce *CallError
	switch {
	case errors.As(err, &we):
		return we, nil
	case errors.As(err, &ce):
		return wasiErrnoOf(ce.Code), nil
	default:
		return 0, err
	}
}

// wasiErrnoOf translates an aios code raised by shared helpers (memory access, limits).
func wasiErrnoOf(code Errno) wasiErrno {
	switch code {
	case EFAULT:
		return wasiEFAULT
	case E2BIG:
		return wasiE2BIG
	case EINVAL:
		return wasiEINVAL
	default:
		return wasiEIO
	}
}

// returning is a wasiCall that always gives code.
func returning(code wasiErrno) wasiCall {
	return func(context.Context, *Guest, Memory, []uint64) error {
		if code == wasiESUCCESS {
			return nil
		}
		return code
	}
}
