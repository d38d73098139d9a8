package runtime

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/limits"
)

// wazeroModule is a compiled agent. Each Run instantiates it anonymously, so runs proceed
// concurrently without sharing anything but the compiled code and the host modules.
type wazeroModule struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	report   *Report
	image    *memoryImage // nil when the module was compiled with its data segments
}

// instanceConfig names no instance (so any number may exist at once) and runs no start
// function on instantiation; Run calls _initialize and the entry (_start or aios_main) itself.
// wazero's own WASI is not bound (the kernel's is), so nothing reads its random source: giving
// one saves seeding wazero's default, a tenth of a small agent's start.
var instanceConfig = wazero.NewModuleConfig().WithName("").WithStartFunctions().WithRandSource(noRandom{})

// noRandom is a random source that has no bytes to give.
type noRandom struct{}

func (noRandom) Read([]byte) (int, error) { return 0, errNoRandom }

var errNoRandom = errors.New("wazero's random source is not bound: agents get random bytes from the kernel")

// Run implements Module. Zero fields of lim take limits.Defaults. Run closes g when the instance
// ends.
//
// # Notes
//
//   - proc_exit(0) is a normal end and gives nil, like a return from _start.
//   - Memory is limited per instance by a wazero memory allocator: a grow that would pass
//     lim.Memory returns -1 to the guest, which goes on (see RunReport). A module whose initial
//     memory is already larger is not instantiated.
//   - lim.Stack is ignored (see NewWazero).
func (m *wazeroModule) Run(ctx context.Context, g *hostcalls.Guest, lim limits.Limits) (RunReport, error) {
	if g == nil {
		return RunReport{}, errors.New("run: no guest")
	}
	defer g.Close()
	lim = lim.Or(limits.Defaults())
	maxMem, err := memoryCeiling(m.report, lim)
	if err != nil {
		return RunReport{}, err
	}
	runCtx, cancel, stop := runContext(ctx, lim)
	defer stop()
	active := watchActiveTime(g, lim.CPUTime, func() { cancel(durationExceeded("cpu_time", lim.CPUTime)) })
	defer active.stop()
	alloc := newMemoryLimit(maxMem, m.image)
	runCtx = withInstance(experimental.WithMemoryAllocator(runCtx, alloc), &instance{g: g, active: active})

	mod, err := m.rt.InstantiateModule(runCtx, m.compiled, instanceConfig)
	if err == nil {
		err = callEntries(runCtx, mod, findExport(m.report, InitializeExport) != nil, entryOf(m.report))
		// The instance is anonymous and ours alone; closing it cannot fail in a way the
		// caller could act on.
		_ = mod.Close(context.WithoutCancel(ctx))
	}
	rep := RunReport{MemoryLimitReached: alloc.refused.Load()}
	return rep, memoryOutcome(rep, maxMem, outcome(ctx, runCtx, err))
}

// callEntries calls _initialize, if exported (initialize: the report says so; asking wazero
// for a missing export formats an error, a tenth of a small agent's start), then entry:
// _start or aios_main (Check made sure they are ()->()).
func callEntries(ctx context.Context, mod api.Module, initialize bool, entry string) error {
	if initialize {
		if f := mod.ExportedFunction(InitializeExport); f != nil {
			if err := f.CallWithStack(ctx, nil); err != nil {
				return err
			}
		}
	}
	f := mod.ExportedFunction(entry)
	if f == nil {
		return fmt.Errorf("run: no %q export", entry)
	}
	return f.CallWithStack(ctx, nil)
}

// Close implements Module.
func (m *wazeroModule) Close(ctx context.Context) error {
	if m.image != nil {
		m.image.Close()
	}
	if err := m.compiled.Close(ctx); err != nil {
		return fmt.Errorf("wazero: close module: %w", err)
	}
	return nil
}
