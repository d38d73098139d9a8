//go:build wasmtime

package runtime

// #include <stdbool.h>
// #include <stdint.h>
import "C"

import "runtime/cgo"

// aiosWasmtimeEpochDeadline is called by Wasmtime, on the thread running the guest, each time
// the guest's store reaches its epoch deadline (every epochTick). It says whether the instance
// behind handle h must stop: its run context has ended (cancellation, a time limit, the engine
// closing). Otherwise the deadline moves one tick on.
//
//export aiosWasmtimeEpochDeadline
func aiosWasmtimeEpochDeadline(h C.uintptr_t) C.bool {
	in, ok := cgo.Handle(h).Value().(*wtInstance)
	return C.bool(!ok || in.ctx.Err() != nil)
}
