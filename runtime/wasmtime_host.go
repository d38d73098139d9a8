//go:build wasmtime

package runtime

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"github.com/aiosys/aios/hostcalls"
)

// errRunStopped ends an agent whose run context ended while it was in a system call; outcome
// reports the context's cause instead.
var errRunStopped = errors.New("run context ended")

// wtInstance is one running instance: the store's data, which every host function and the
// epoch callback find it by.
type wtInstance struct {
	ctx    context.Context // the run's; cancelled with the reason the agent must end
	g      *hostcalls.Guest
	active *activeWatch
	mem    wtMemory
	// stack is the system calls' parameter and result stack, reused: the host never calls
	// into the guest during a system call, so calls do not nest.
	stack []uint64
	// hostErr is the first error a system call ended the agent with.
	hostErr error
}

// hostFuncWasmtime adapts a hostcalls.Handler to Wasmtime. Parameters go on a []uint64 stack
// as in wazero's api.GoModuleFunc (i32 zero-extended), results come back from it. A handler's
// error, or a panic, ends the guest with a trap; outcome reports the error itself.
func hostFuncWasmtime(f hostcalls.Func) func(*wasmtime.Caller, []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
	size := max(len(f.Params), len(f.Results))
	return func(c *wasmtime.Caller, args []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
		in, ok := c.Data().(*wtInstance)
		if !ok {
			return nil, wasmtime.NewTrap(errNoGuest.Error())
		}
		if cap(in.stack) < size {
			in.stack = make([]uint64, size)
		}
		stack := in.stack[:size]
		clear(stack)
		for i, a := range args {
			stack[i] = toStack(a)
		}
		in.mem.bind(c)
		in.active.enterCall()
		err := in.call(f, stack)
		in.active.leaveCall()
		in.mem.unbind()
		if err == nil && in.ctx.Err() != nil {
			err = errRunStopped
		}
		if err != nil {
			if in.hostErr == nil {
				in.hostErr = err
			}
			return nil, wasmtime.NewTrap("system call " + f.Module + "." + f.Name + " ended the agent")
		}
		results := make([]wasmtime.Val, len(f.Results))
		for i, t := range f.Results {
			results[i] = fromStack(stack[i], t)
		}
		return results, nil
	}
}

// call runs f's handler, turning a panic into a host fault that ends the agent, not the host.
func (in *wtInstance) call(f hostcalls.Func, stack []uint64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &TrapError{
				Message: fmt.Sprintf("host fault in a system call: %s.%s: %v", f.Module, f.Name, r),
				Trace:   string(debug.Stack()),
			}
		}
	}()
	return f.Handler(in.ctx, in.g, &in.mem, stack)
}

func toStack(v wasmtime.Val) uint64 {
	if v.Kind() == wasmtime.KindI64 {
		return uint64(v.I64())
	}
	return uint64(uint32(v.I32()))
}

func fromStack(x uint64, t hostcalls.ValueType) wasmtime.Val {
	if t == hostcalls.I64 {
		return wasmtime.ValI64(int64(x))
	}
	return wasmtime.ValI32(int32(uint32(x)))
}
