package runtime

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aiosys/aios/hostcalls"
)

// RefusedError is a module that breaks the rules of docs/ABI.md section 1. It names every
// offending import and every other problem, so one attempt shows everything to fix.
type RefusedError struct {
	Imports  []ImportProblem
	Problems []string // problems that are not imports, e.g. `missing export "_start"`
}

// ImportProblem is one import the host does not provide as asked.
type ImportProblem struct {
	Import Import
	// Want is the signature the host provides, set when the name is known but the import's
	// signature differs.
	Want *FuncType
}

func (p ImportProblem) String() string {
	name := p.Import.Module + "." + p.Import.Name
	if p.Want != nil {
		return fmt.Sprintf("%s wrong signature %s (want %s)", name, p.Import.Func, p.Want)
	}
	return name + " (" + p.Import.Kind.String() + ")"
}

func (e *RefusedError) Error() string {
	var parts []string
	if n := len(e.Imports); n > 0 {
		items := make([]string, n)
		for i, p := range e.Imports {
			items[i] = p.String()
		}
		plural := "s"
		if n == 1 {
			plural = ""
		}
		parts = append(parts, fmt.Sprintf("%d forbidden import%s: %s", n, plural, strings.Join(items, ", ")))
	}
	parts = append(parts, e.Problems...)
	return "module refused: " + strings.Join(parts, "; ")
}

// inspectAndCheck is what both engines do before compiling: Inspect, check against the
// system-call table, then the structural limits (CheckStructure). The first two name every
// problem; the last stops at the first limit passed.
func inspectAndCheck(wasm []byte, lookup lookupFunc) (*Report, error) {
	rep, err := Inspect(wasm)
	if err != nil {
		return nil, err
	}
	if err := check(rep, lookup); err != nil {
		return nil, err
	}
	if err := CheckStructure(wasm, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// lookupFunc finds the system call a module may import as module.name.
type lookupFunc func(module, name string) (hostcalls.Func, bool)

// Check applies the load rules of docs/ABI.md section 1 to an inspected module: only system
// calls of hostcalls' table with their exact signatures, no imported memory, table, global or
// tag, exactly one memory exported as "memory", and either a `_start` (a command) or an
// `aios_main` (a reactor, ABI 1.3) of type ()->(), not both. It returns nil or a *RefusedError
// listing every problem.
func Check(r *Report) error {
	return check(r, hostcalls.Lookup)
}

func check(r *Report, lookup lookupFunc) error {
	e := &RefusedError{}
	for _, im := range r.Imports {
		if im.Kind != KindFunc {
			e.Imports = append(e.Imports, ImportProblem{Import: im})
			continue
		}
		f, ok := lookup(im.Module, im.Name)
		if !ok {
			e.Imports = append(e.Imports, ImportProblem{Import: im})
			continue
		}
		if want := signatureOf(f); !sameSignature(*im.Func, want) {
			e.Imports = append(e.Imports, ImportProblem{Import: im, Want: &want})
		}
	}
	e.Problems = append(e.Problems, memoryProblems(r)...)
	e.Problems = append(e.Problems, entryProblems(r)...)
	if len(e.Imports) == 0 && len(e.Problems) == 0 {
		return nil
	}
	return e
}

func memoryProblems(r *Report) []string {
	var ps []string
	if r.Memories > 1 {
		ps = append(ps, fmt.Sprintf("%d memories, want exactly 1", r.Memories))
	}
	if r.Memory != nil && r.Memory.Is64 {
		ps = append(ps, "memory is 64-bit, want 32-bit")
	}
	ex := findExport(r, "memory")
	switch {
	case ex == nil:
		ps = append(ps, `missing export "memory"`)
	case ex.Kind != KindMemory:
		ps = append(ps, fmt.Sprintf(`export "memory" is a %s, want a memory`, ex.Kind))
	case ex.Index != 0:
		ps = append(ps, `export "memory" is not the module's first memory`)
	}
	return ps
}

func entryProblems(r *Report) []string {
	var ps []string
	start, main := findExport(r, CommandEntry), findExport(r, ReactorEntry)
	switch {
	case start == nil && main == nil:
		ps = append(ps, `missing export "_start"`)
	case start != nil && main != nil:
		ps = append(ps, `exports both "_start" and "aios_main": a module is either a command or a reactor`)
	}
	for _, name := range []string{CommandEntry, InitializeExport, ReactorEntry} {
		ex := findExport(r, name)
		switch {
		case ex == nil:
		case ex.Kind != KindFunc:
			ps = append(ps, fmt.Sprintf("export %q is a %s, want a function", name, ex.Kind))
		case len(ex.Func.Params) != 0 || len(ex.Func.Results) != 0:
			ps = append(ps, fmt.Sprintf("export %q has signature %s, want ()->()", name, ex.Func))
		}
	}
	return ps
}

func findExport(r *Report, name string) *Export {
	for i := range r.Exports {
		if r.Exports[i].Name == name {
			return &r.Exports[i]
		}
	}
	return nil
}

func signatureOf(f hostcalls.Func) FuncType {
	return FuncType{Params: valTypesOf(f.Params), Results: valTypesOf(f.Results)}
}

func valTypesOf(ts []hostcalls.ValueType) []ValType {
	vs := make([]ValType, len(ts))
	for i, t := range ts {
		switch t {
		case hostcalls.I32:
			vs[i] = ValI32
		case hostcalls.I64:
			vs[i] = ValI64
		}
	}
	return vs
}

func sameSignature(a, b FuncType) bool {
	return slices.Equal(a.Params, b.Params) && slices.Equal(a.Results, b.Results)
}
