package extism

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Import modules a plugin may use. extism:host/env is Extism's own (input, output, memory;
// its http_request refuses every host, since none is allowed); WASI comes without files,
// environment or sockets.
const (
	extismEnv = "extism:host/env"
	wasi      = "wasi_snapshot_preview1"
)

// inspectModule compiles wasm with rc (which holds the compilation cache, so Extism's compile
// of the same bytes with the same config is a cache hit) and checks what it imports and that it exports every function in fns as an Extism
// function, () -> i32 or () -> (). It reports whether the module imports WASI.
func inspectModule(ctx context.Context, rc wazero.RuntimeConfig, wasm []byte, fns []Function) (needsWasi bool, err error) {
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	defer rt.Close(ctx)
	mod, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		return false, fmt.Errorf("compile: %w", err)
	}
	for _, imp := range mod.ImportedFunctions() {
		modName, name, _ := imp.Import()
		switch modName {
		case extismEnv:
		case wasi:
			needsWasi = true
		default:
			return false, fmt.Errorf("imports %q from %q: a plugin may import only from %q and %q", name, modName, extismEnv, wasi)
		}
	}
	exports := mod.ExportedFunctions()
	for _, fn := range fns {
		def, ok := exports[fn.Name]
		if !ok {
			return false, fmt.Errorf("function %q is not exported by the module", fn.Name)
		}
		results := def.ResultTypes()
		if len(def.ParamTypes()) != 0 || len(results) > 1 || (len(results) == 1 && results[0] != api.ValueTypeI32) {
			return false, fmt.Errorf("export %q takes %d parameters and gives %d results; an Extism function takes none and gives one i32", fn.Name, len(def.ParamTypes()), len(results))
		}
	}
	return needsWasi, nil
}
