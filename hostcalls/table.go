package hostcalls

import (
	"slices"
	"sync"
)

// The two import namespaces an agent may use (docs/ABI.md section 1).
const (
	ModuleAIOS = "aios"
	ModuleWASI = "wasi_snapshot_preview1"
)

var table = sync.OnceValues(func() ([]Func, map[[2]string]int) {
	fs := slices.Concat(aiosCalls(), wasiCalls())
	for i := range fs {
		fs[i].Handler = journaled(fs[i])
	}
	idx := make(map[[2]string]int, len(fs))
	for i, f := range fs {
		idx[[2]string{f.Module, f.Name}] = i
	}
	return fs, idx
})

// Table returns every system call of ABI v1: the aios namespace and all of
// wasi_snapshot_preview1, with exact wasm signatures. The slice is the caller's own.
func Table() []Func {
	fs, _ := table()
	out := make([]Func, len(fs))
	for i, f := range fs {
		f.Params, f.Results = slices.Clone(f.Params), slices.Clone(f.Results)
		out[i] = f
	}
	return out
}

// Lookup returns the system call module.name, if the ABI has it. Validators use it to refuse
// a module importing anything else.
func Lookup(module, name string) (Func, bool) {
	fs, idx := table()
	i, ok := idx[[2]string{module, name}]
	if !ok {
		return Func{}, false
	}
	f := fs[i]
	f.Params, f.Results = slices.Clone(f.Params), slices.Clone(f.Results)
	return f, true
}
