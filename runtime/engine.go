// Package runtime loads and runs agents: WebAssembly engines (wazero by default; wasmtime with
// the build tag `wasmtime`), module validation, per-agent limits and the compilation cache. It
// binds the system calls that hostcalls describes and knows nothing of LLMs.
package runtime

import (
	"context"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/limits"
)

// Engine compiles and runs agent modules.
type Engine interface {
	// Name is "wazero" or "wasmtime".
	Name() string
	// Compile validates wasm (see Validate) and compiles it. A refused module gives a
	// *RefusedError, before any of its code runs.
	Compile(ctx context.Context, wasm []byte) (Module, error)
	Close(ctx context.Context) error
}

// Module is a compiled agent, ready to be instantiated many times at once.
type Module interface {
	// Run instantiates the module bound to g, calls its _initialize, if exported, then its
	// entry (_start, or a reactor's aios_main), and returns when it ends. It returns nil on a
	// normal return, a *hostcalls.ExitError after proc_exit, a *limits.ExceededError when a
	// limit ended it, or another error (a trap). The RunReport says what the run met on the
	// way, however it ended.
	Run(ctx context.Context, g *hostcalls.Guest, lim limits.Limits) (RunReport, error)
	Close(ctx context.Context) error
}

// RunReport is what a run met that its outcome does not say: a limit the agent reached and
// went on from.
type RunReport struct {
	// MemoryLimitReached means the agent's memory reached the memory limit. A memory.grow that
	// would pass the limit returns -1 to the agent, as the WebAssembly specification allows,
	// and the agent goes on: it may handle the failure (a malloc returning NULL) or not (then
	// it usually traps, and Run returns a memory *limits.ExceededError rather than the trap).
	// wazero sets it when it refuses a grow; Wasmtime does not report refused grows, so there
	// it means the memory ended within one page of the limit.
	MemoryLimitReached bool
}
