//go:build wasmtime

package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/limits"
)

var errModuleClosed = errors.New("wasmtime: module closed")

// wasmtimeModule is a compiled agent. It holds the module compiled for its home variant (the
// engine's base variant, or the default stack's on-demand variant for a module that does not
// fit the pool) and, made on first use by deserializing that one, a copy for each other
// variant (stack limit) it has run in.
type wasmtimeModule struct {
	eng    *wasmtimeEngine
	report *Report
	home   *wtVariant

	// mu guards the map; a read lock is held while a module from it is instantiated, so Close
	// does not free one under a run.
	mu       sync.RWMutex
	closed   bool
	compiled map[*wtVariant]*wasmtime.Module
}

// addModule makes the module for cm, compiled for home, and registers it with e, whose release
// frees its code if Close has not. It is called by a compile, which e's release waits for.
func (e *wasmtimeEngine) addModule(rep *Report, home *wtVariant, cm *wasmtime.Module) *wasmtimeModule {
	m := &wasmtimeModule{eng: e, report: rep, home: home, compiled: map[*wtVariant]*wasmtime.Module{home: cm}}
	e.mu.Lock()
	e.modules[m] = struct{}{}
	e.mu.Unlock()
	return m
}

// Run implements Module. Zero fields of lim take limits.Defaults. Run closes g when the
// instance ends. proc_exit(0) is a normal end and gives nil. See NewWasmtime for how limits
// differ from wazero.
func (m *wasmtimeModule) Run(ctx context.Context, g *hostcalls.Guest, lim limits.Limits) (RunReport, error) {
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
	select {
	case m.eng.slots <- struct{}{}:
		defer func() { <-m.eng.slots }()
	case <-runCtx.Done():
		return RunReport{}, fmt.Errorf("run: waiting for a place among the engine's running agents: %w", context.Cause(runCtx))
	}
	// The home variant's pool, if it has one, serves the default stack only.
	v, done, err := m.eng.begin(variantKey{stack: wasmStack(lim.Stack), pooled: m.home.pool != nil}, cancel)
	if err != nil {
		return RunReport{}, fmt.Errorf("run: %w", err)
	}
	defer done()
	active := watchActiveTime(g, lim.CPUTime, func() { cancel(durationExceeded("cpu_time", lim.CPUTime)) })
	defer active.stop()

	return m.run(ctx, v, &wtInstance{ctx: runCtx, g: g, active: active}, maxMem)
}

// run makes a store for in on v, instantiates the module in it, calls its entry points and
// reports the outcome. parent is Run's context.
func (m *wasmtimeModule) run(parent context.Context, v *wtVariant, in *wtInstance, maxMem uint64) (RunReport, error) {
	store := wasmtime.NewStoreWithData(v.engine, in)
	defer store.Close()
	// One instance with its one memory; tables keep Wasmtime's defaults.
	store.Limiter(int64(maxMem), -1, 1, -1, 1)
	stopEpoch, err := interruptOnDone(store, in)
	if err != nil {
		return RunReport{}, fmt.Errorf("run: %w", err)
	}
	defer stopEpoch()
	cm, release, err := m.acquire(v)
	if err != nil {
		return RunReport{}, fmt.Errorf("run: %w", err)
	}
	inst, err := v.linker.Instantiate(store, cm)
	release()
	if err != nil && v.pool != nil && poolFull(err) {
		// Runs take a place among MaxRunning before a slot, so this is a bug, said plainly.
		msg, _ := splitWasmtimeError(err)
		return RunReport{}, fmt.Errorf("run: every one of the wasmtime engine's %d instance slots is in use: %s", v.pool.slots, msg)
	}

	var rep RunReport
	if err == nil {
		err = callEntriesWasmtime(store, inst, entryOf(m.report))
		if ex := inst.GetExport(store, "memory"); ex != nil && ex.Memory() != nil {
			// The Limiter refuses grows silently: no room for one more page is the sign.
			rep.MemoryLimitReached = uint64(ex.Memory().DataSize(store))+PageSize > maxMem
		}
	}
	return rep, memoryOutcome(rep, maxMem, in.outcome(parent, err, v.stack))
}

// acquire returns the module compiled for v, deserializing the base module into v first if it
// never ran there, with a read lock that keeps Close from freeing it; call release once it is
// instantiated (an instance keeps its code alive by itself).
func (m *wasmtimeModule) acquire(v *wtVariant) (cm *wasmtime.Module, release func(), err error) {
	for {
		m.mu.RLock()
		if m.closed {
			m.mu.RUnlock()
			return nil, nil, errModuleClosed
		}
		if cm := m.compiled[v]; cm != nil {
			return cm, m.mu.RUnlock, nil
		}
		m.mu.RUnlock()
		if err := m.addVariant(v); err != nil {
			return nil, nil, err
		}
	}
}

// addVariant makes the module's copy for v from the base variant's.
func (m *wasmtimeModule) addVariant(v *wtVariant) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.compiled[v] != nil {
		return nil
	}
	art, err := m.compiled[m.home].Serialize()
	if err != nil {
		return fmt.Errorf("wasmtime: serialize for a %s stack: %w", formatBytes(v.stack), err)
	}
	cm, err := wasmtime.NewModuleDeserialize(v.engine, art)
	if err != nil {
		return fmt.Errorf("wasmtime: load for a %s stack: %w", formatBytes(v.stack), err)
	}
	m.compiled[v] = cm
	return nil
}

// callEntriesWasmtime calls _initialize, if exported, then entry: _start or aios_main (Check
// made sure they are ()->()).
func callEntriesWasmtime(store *wasmtime.Store, inst *wasmtime.Instance, entry string) error {
	if f := inst.GetFunc(store, InitializeExport); f != nil {
		if _, err := f.Call(store); err != nil {
			return err
		}
	}
	f := inst.GetFunc(store, entry)
	if f == nil {
		return fmt.Errorf("run: no %q export", entry)
	}
	_, err := f.Call(store)
	return err
}

// Close implements Module. It waits for instantiations in progress; instances already running
// keep their code until they end.
func (m *wasmtimeModule) Close(context.Context) error {
	m.freeCode()
	m.eng.mu.Lock()
	delete(m.eng.modules, m)
	m.eng.mu.Unlock()
	return nil
}

// freeCode frees the module's compiled code, once; it can no longer run.
func (m *wasmtimeModule) freeCode() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	for _, cm := range m.compiled {
		cm.Close()
	}
	clear(m.compiled)
}
