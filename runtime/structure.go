package runtime

import "fmt"

// Structural limits of docs/ABI.md section 1.1. An engine's compile time grows with a module's
// shape, some of it faster than linearly (a 600 KB module of 200,000 nested blocks compiles for
// minutes), so a module past one of them is refused before it reaches the engine. The counts
// are the JavaScript embedding's implementation limits
// (https://webassembly.github.io/spec/js-api/#limits), which every browser enforces, so real
// toolchains stay within them. The nesting depth is aios's own: wazero's compile time grows
// with its square (one function 10,000 deep takes seconds), and Go's wasip1 binaries, which
// nest deepest of the common toolchains, reach about 550 (in the Go runtime itself).
const (
	maxTypes           = 1_000_000
	maxFunctions       = 1_000_000 // imported and defined
	maxImports         = 100_000
	maxExports         = 100_000
	maxGlobals         = 1_000_000
	maxTables          = 100_000
	maxElementSegments = 10_000_000
	maxDataSegments    = 100_000
	maxParams          = 1_000
	maxResults         = 1_000
	maxBodySize        = 7_654_321 // bytes of one function body
	maxLocals          = 50_000    // declared in one function, parameters aside
	maxNesting         = 4_096     // blocks, loops, ifs and trys open at once in one function
)

// CheckStructure refuses a module that passes one of the structural limits, with a
// *RefusedError naming the limit and, for a function, its index (imported functions first, as
// in the spec's function index space). rep is the module's Inspect report.
//
// It walks the module's bytes once without allocating, reading every count before anything
// it counts, so a hostile module costs time linear in its size and no memory.
func CheckStructure(wasm []byte, rep *Report) error {
	importedFuncs := 0
	for _, im := range rep.Imports {
		if im.Kind == KindFunc {
			importedFuncs++
		}
	}
	r := &reader{b: wasm, pos: 8}
	for r.remaining() > 0 {
		r.section = ""
		id, err := r.byte()
		if err != nil {
			return err
		}
		if int(id) >= len(sectionNames) {
			return r.errorf("unknown section id %d", id)
		}
		size, err := r.u32()
		if err != nil {
			return err
		}
		start := r.offset()
		payload, err := r.bytes(uint64(size))
		if err != nil {
			return err
		}
		sr := &reader{b: payload, base: start, section: sectionNames[id]}
		if problem, err := sectionStructure(id, sr, importedFuncs); err != nil || problem != "" {
			if err != nil {
				return err
			}
			return &RefusedError{Problems: []string{problem}}
		}
	}
	return nil
}

// sectionCountLimits bounds the vector that starts each section that has one; zero: no limit
// (types, functions and code have their own checks; memories are Check's).
var sectionCountLimits = [...]struct {
	limit uint32
	what  string
}{
	secImport:  {maxImports, "imports"},
	secTable:   {maxTables, "tables"},
	secGlobal:  {maxGlobals, "globals"},
	secExport:  {maxExports, "exports"},
	secElement: {maxElementSegments, "element segments"},
	secData:    {maxDataSegments, "data segments"},
}

// sectionStructure checks one section's payload: a problem in words, or an error for bytes it
// cannot decode.
func sectionStructure(id byte, r *reader, importedFuncs int) (problem string, err error) {
	switch id {
	case secType:
		return typeStructure(r)
	case secFunction:
		n, err := r.u32()
		if err != nil {
			return "", err
		}
		if total := uint64(importedFuncs) + uint64(n); total > maxFunctions {
			return overLimit(fmt.Sprintf("%d functions", total), maxFunctions, "functions"), nil
		}
		return "", nil
	case secCode:
		return codeStructure(r, importedFuncs)
	}
	if int(id) < len(sectionCountLimits) && sectionCountLimits[id].limit != 0 {
		l := sectionCountLimits[id]
		n, err := r.u32()
		if err != nil {
			return "", err
		}
		if n > l.limit {
			return overLimit(fmt.Sprintf("%d %s", n, l.what), l.limit, l.what), nil
		}
	}
	return "", nil
}

func overLimit(what string, limit uint32, name string) string {
	return fmt.Sprintf("%s, above the limit of %d (%s)", what, limit, name)
}

// typeStructure bounds the number of types and each one's parameters and results.
func typeStructure(r *reader) (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	if n > maxTypes {
		return overLimit(fmt.Sprintf("%d types", n), maxTypes, "types"), nil
	}
	for i := range n {
		if _, err := r.byte(); err != nil { // the form, 0x60 (Inspect checked it)
			return "", err
		}
		for _, part := range []struct {
			limit uint32
			name  string
		}{{maxParams, "parameters"}, {maxResults, "results"}} {
			m, err := r.count()
			if err != nil {
				return "", err
			}
			if uint32(m) > part.limit {
				return overLimit(fmt.Sprintf("type %d has %d %s", i, m, part.name), part.limit, part.name), nil
			}
			for range m {
				if err := skipValType(r); err != nil {
					return "", err
				}
			}
		}
	}
	return "", nil
}

// codeStructure bounds each function body's size, locals and nesting depth.
func codeStructure(r *reader, importedFuncs int) (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	if total := uint64(importedFuncs) + uint64(n); total > maxFunctions {
		return overLimit(fmt.Sprintf("%d functions", total), maxFunctions, "functions"), nil
	}
	for i := range n {
		fn := uint64(importedFuncs) + uint64(i)
		size, err := r.u32()
		if err != nil {
			return "", err
		}
		if size > maxBodySize {
			return overLimit(fmt.Sprintf("function %d has a body of %d bytes", fn, size), maxBodySize, "function body size"), nil
		}
		start := r.offset()
		b, err := r.bytes(uint64(size))
		if err != nil {
			return "", err
		}
		body := &reader{b: b, base: start, section: r.section}
		locals, err := countLocals(body)
		if err != nil {
			return "", err
		}
		if locals > maxLocals {
			return overLimit(fmt.Sprintf("function %d declares %d locals", fn, locals), maxLocals, "locals"), nil
		}
		depth, err := nestingDepth(body, maxNesting)
		if err != nil {
			return "", err
		}
		if depth > maxNesting {
			return overLimit(fmt.Sprintf("function %d nests blocks more than %d deep", fn, maxNesting), maxNesting, "nesting depth"), nil
		}
	}
	return "", nil
}

// countLocals reads a body's local declarations and returns how many locals they declare.
func countLocals(r *reader) (uint64, error) {
	groups, err := r.count()
	if err != nil {
		return 0, err
	}
	var total uint64
	for range groups {
		n, err := r.u32()
		if err != nil {
			return 0, err
		}
		total += uint64(n) // at most 2^32 groups of 2^32: no overflow
		if err := skipValType(r); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// skipValType reads a value type, including the typed references of the function-references
// proposal (0x63, 0x64 followed by a heap type).
func skipValType(r *reader) error {
	c, err := r.byte()
	if err != nil {
		return err
	}
	if c == 0x63 || c == 0x64 {
		return skipLEB(r, 5)
	}
	return nil
}
