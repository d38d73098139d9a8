package hostcalls

import (
	"context"
	"fmt"
)

// aiosCall is the body of an aios system call. p holds the parameters (i32 zero-extended); a
// nil error is OK, any other error becomes its errno (see ErrnoOf) and the last error.
type aiosCall func(ctx context.Context, g *Guest, mem Memory, p []uint64) error

// aiosCalls returns every call of ABI v1.4 (docs/ABI.md section 4).
func aiosCalls() []Func {
	calls := []Func{
		aiosFunc("abi_version", params(I32, I32), abiVersion),
		aiosFunc("input", params(I32), input),
		aiosFunc("output", params(I32, I32), output),
		aiosFunc("log", params(I32, I32, I32), logLine),
		aiosFunc("llm_generate", params(I32, I32, I32), llmGenerate),
		aiosFunc("llm_embed", params(I32, I32, I32), llmEmbed),
		aiosFunc("submit", params(I32, I32, I32, I32, I32), submit),
		aiosFunc("poll", params(I32, I32), poll),
		aiosFunc("wait", params(I32, I32, I64, I32), wait),
		aiosFunc("cancel", params(I32), cancel),
		aiosFunc("stream_next", params(I32, I32), streamNext),
		aiosFunc("result_read", params(I32, I32, I32), resultRead),
		aiosFunc("result_drop", params(I32), resultDrop),
		aiosFunc("last_error", params(I32), lastError),
	}
	for _, name := range managerCallNames {
		calls = append(calls, aiosFunc(name, params(I32, I32, I32), managerFunc(name)))
	}
	return append(calls, // ABI 1.4
		aiosFunc("msg_send_bytes", params(I64, I32, I32), msgSendBytes),
		aiosFunc("msg_recv_bytes", params(I64, I32, I32, I32), msgRecvBytes),
	)
}

// managerCallNames are ABI 1.2's and 1.3's table-driven calls in the order docs/ABI.md lists them.
var managerCallNames = []string{
	"memory_add", "memory_get", "memory_update", "memory_delete", "memory_search",
	"storage_put", "storage_get", "storage_list", "storage_delete", "storage_history", "storage_rollback",
	"tool_list", "tool_call",
	"agent_spawn", "agent_wait", "agent_kill", "msg_send", "msg_recv", // ABI 1.3
}

// aiosFunc binds call as an aios system call returning an i32 errno.
func aiosFunc(name string, ps []ValueType, call aiosCall) Func {
	f := Func{Module: ModuleAIOS, Name: name, Params: ps, Results: params(I32)}
	f.Handler = func(ctx context.Context, g *Guest, mem Memory, stack []uint64) error {
		if err := checkFrame(&f, g, mem, stack); err != nil {
			return err
		}
		err := call(ctx, g, mem, stack)
		code := ErrnoOf(err)
		if code != OK {
			g.noteError(name, code, err)
		}
		stack[0] = uint64(code)
		return nil
	}
	return f
}

// checkFrame guards against an engine binding that passes too small a stack or no memory: that
// is a host bug, reported as a trap rather than a panic.
func checkFrame(f *Func, g *Guest, mem Memory, stack []uint64) error {
	if len(stack) < len(f.Params) || len(stack) < len(f.Results) {
		return fmt.Errorf("hostcalls: %s.%s: stack has %d slots, needs %d params and %d results",
			f.Module, f.Name, len(stack), len(f.Params), len(f.Results))
	}
	if g == nil || mem == nil {
		return fmt.Errorf("hostcalls: %s.%s: called without a guest or memory", f.Module, f.Name)
	}
	return nil
}

func params(ts ...ValueType) []ValueType { return ts }
