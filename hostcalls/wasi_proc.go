package hostcalls

import (
	"context"
	"runtime"
)

func wasiProcCalls() []Func {
	return []Func{
		{Module: ModuleWASI, Name: "proc_exit", Params: params(I32), Handler: procExit},
		wasiFunc("proc_raise", params(I32), returning(wasiENOSYS)),
		wasiFunc("sched_yield", nil, schedYield),
	}
}

// procExit implements proc_exit(rval): the guest ends with an *ExitError carrying its code.
func procExit(_ context.Context, _ *Guest, _ Memory, stack []uint64) error {
	if len(stack) < 1 {
		return &ExitError{Code: 1}
	}
	return &ExitError{Code: uint32(stack[0])}
}

// schedYield implements sched_yield: it lets other goroutines run and succeeds.
func schedYield(context.Context, *Guest, Memory, []uint64) error {
	runtime.Gosched()
	return nil
}
