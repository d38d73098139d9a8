package preinit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/aiosys/aios/runtime"
)

const initializeExport = runtime.InitializeExport

// memoryLimitPages bounds the memory initialisation may grow to (1 GiB), so a module cannot
// make the machine that packs it allocate all a 32-bit memory can hold. A grow past it fails
// as a grow past the module's own maximum would.
const memoryLimitPages = 16384

// Result is a pre-initialised module and what was fixed to make it.
type Result struct {
	// Module is the pre-initialised module.
	Module []byte
	// From is the digest of the module it was made from, "sha256:" and hex.
	From string
	// MemoryBytes is the size of the memory snapshot, the new module's initial memory.
	MemoryBytes uint64
	// Segments is the number of data segments holding the snapshot.
	Segments int
	// Fixed lists the calls initialisation made that were answered from the module alone
	// (the fixed clock, the seeded generator, empty arguments and environment, fixed
	// descriptor answers), with how often each was made.
	Fixed []FixedCall
}

// Run pre-initialises a reactor module: it must be one aios loads (runtime.Check), export
// _initialize and aios_main and no _start, have no passive data segments, and no instruction
// that changes a table. ctx bounds initialisation (a module that loops forever runs until ctx
// ends). A module that cannot be pre-initialised soundly gives a *RefusedError.
func Run(ctx context.Context, wasm []byte) (*Result, error) {
	digest := sha256.Sum256(wasm)
	m, importedFuncs, err := prepare(wasm)
	if err != nil {
		return nil, err
	}
	rec := newRecorder(digest)
	snap, err := execute(ctx, m, rec)
	if err != nil {
		return nil, err
	}
	out, segs, err := m.rewrite(snap, importedFuncs)
	if err != nil {
		return nil, fmt.Errorf("preinit: write the module: %w", err)
	}
	if err := verify(ctx, out); err != nil {
		return nil, fmt.Errorf("preinit: the pre-initialised module is invalid (a bug in aios): %w", err)
	}
	return &Result{
		Module:      out,
		From:        "sha256:" + hex.EncodeToString(digest[:]),
		MemoryBytes: uint64(len(snap.memory)),
		Segments:    segs,
		Fixed:       rec.fixedCalls(),
	}, nil
}

// prepare checks that wasm can be pre-initialised and parses it.
func prepare(wasm []byte) (*module, uint32, error) {
	rep, err := runtime.Inspect(wasm)
	if err != nil {
		return nil, 0, err
	}
	if err := runtime.Check(rep); err != nil {
		return nil, 0, fmt.Errorf("preinit: aios would not load this module: %w", err)
	}
	if !runtime.IsReactor(rep) {
		return nil, 0, &RefusedError{Reason: "the module is a command (it exports _start), whose initialisation " +
			"cannot be separated from its run; build it as a reactor: export aios_main instead of main's " +
			"_start (in Go: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared, with " +
			"//go:wasmexport aios_main on a function that calls aios.Main)"}
	}
	var importedFuncs uint32
	for _, im := range rep.Imports {
		if im.Kind == runtime.KindFunc {
			importedFuncs++
		}
	}
	m, err := parseModule(wasm)
	if err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			return nil, 0, re
		}
		return nil, 0, fmt.Errorf("preinit: %w", err)
	}
	if e := m.export(initializeExport); e == nil {
		return nil, 0, &RefusedError{Reason: "the module exports no _initialize: there is nothing to pre-initialise"}
	}
	if m.hasPassive {
		return nil, 0, &RefusedError{Reason: "the module has passive data segments, which initialisation may " +
			"have used or dropped; pre-initialisation snapshots only memory and globals"}
	}
	for i, g := range m.globals {
		if g.mutable && g.valType != valI32 && g.valType != valI64 && g.valType != valF32 && g.valType != valF64 {
			return nil, 0, &RefusedError{Reason: fmt.Sprintf("mutable global %d holds a vector or a reference, "+
				"which a snapshot cannot store", i)}
		}
	}
	what, err := runtime.TableWrite(wasm)
	if err != nil {
		return nil, 0, err
	}
	if what != "" {
		return nil, 0, &RefusedError{Reason: "the module can change its tables (" + what + "); " +
			"pre-initialisation snapshots only memory and globals"}
	}
	if m.codeRest == nil {
		return nil, 0, fmt.Errorf("preinit: %w", errNoCode)
	}
	return m, importedFuncs, nil
}

// execute instantiates the instrumented module with the recorder's stubs, runs its start
// function and _initialize, and takes the snapshot.
func execute(ctx context.Context, m *module, rec *recorder) (snapshot, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(memoryLimitPages))
	defer rt.Close(context.WithoutCancel(ctx))
	compiled, err := rt.CompileModule(ctx, m.instrumented())
	if err != nil {
		return snapshot{}, fmt.Errorf("preinit: compile: %w", err)
	}
	if err := bindStubs(ctx, rt, compiled, rec); err != nil {
		return snapshot{}, err
	}
	mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err == nil {
		_, err = mod.ExportedFunction(initializeExport).Call(ctx)
	}
	if rec.refusal != nil {
		return snapshot{}, rec.refusal
	}
	if err != nil {
		if ctx.Err() != nil {
			return snapshot{}, fmt.Errorf("preinit: _initialize did not finish: %w", context.Cause(ctx))
		}
		return snapshot{}, fmt.Errorf("preinit: _initialize failed: %w", err)
	}
	mem := mod.Memory()
	view, _ := mem.Read(0, mem.Size())
	snap := snapshot{memory: append([]byte(nil), view...), globals: map[int]uint64{}}
	for i, g := range m.globals {
		if g.mutable {
			snap.globals[i] = mod.ExportedGlobal(globalExport(i)).Get()
		}
	}
	return snap, nil
}

// bindStubs instantiates the host modules the module imports from, every function a stub.
func bindStubs(ctx context.Context, rt wazero.Runtime, compiled wazero.CompiledModule, rec *recorder) error {
	builders := map[string]wazero.HostModuleBuilder{}
	seen := map[string]bool{}
	for _, f := range compiled.ImportedFunctions() {
		module, name, _ := f.Import()
		if seen[module+"."+name] {
			continue
		}
		seen[module+"."+name] = true
		b, ok := builders[module]
		if !ok {
			b = rt.NewHostModuleBuilder(module)
			builders[module] = b
		}
		b.NewFunctionBuilder().
			WithGoModuleFunction(zeroExtended(rec.handler(module, name), f.ParamTypes()), f.ParamTypes(), f.ResultTypes()).
			Export(name)
	}
	for module, b := range builders {
		if _, err := b.Instantiate(ctx); err != nil {
			return fmt.Errorf("preinit: bind %s: %w", module, err)
		}
	}
	return nil
}

// zeroExtended clears the upper bits of h's i32 parameters, which wazero leaves undefined.
func zeroExtended(h api.GoModuleFunc, params []api.ValueType) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, stack []uint64) {
		for i, t := range params {
			if t == api.ValueTypeI32 {
				stack[i] = uint64(uint32(stack[i]))
			}
		}
		h(ctx, mod, stack)
	}
}

// verify checks that out is a valid module aios loads.
func verify(ctx context.Context, out []byte) error {
	rep, err := runtime.Inspect(out)
	if err != nil {
		return err
	}
	if err := runtime.Check(rep); err != nil {
		return err
	}
	if err := runtime.CheckStructure(out, rep); err != nil {
		return err
	}
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(context.WithoutCancel(ctx))
	_, err = rt.CompileModule(ctx, out)
	return err
}
