package runtime

import "github.com/aiosys/aios/hostcalls"

// tableLookup indexes table by module and name.
func tableLookup(table []hostcalls.Func) lookupFunc {
	type key struct{ module, name string }
	idx := make(map[key]hostcalls.Func, len(table))
	for _, f := range table {
		idx[key{f.Module, f.Name}] = f
	}
	return func(module, name string) (hostcalls.Func, bool) {
		f, ok := idx[key{module, name}]
		return f, ok
	}
}
