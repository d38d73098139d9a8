package bundle

import (
	"errors"
	"fmt"
	"strings"
)

// Import is one import of a module, as `aios inspect` shows it.
type Import struct {
	Module string `json:"module"`
	Name   string `json:"name"`
	// Kind is "func", "table", "memory", "global" or "tag".
	Kind string `json:"kind"`
	// Signature is a function import's type, e.g. "(i32, i32) -> i32"; empty for other kinds.
	Signature string `json:"signature,omitempty"`
}

// String renders the import as module.name plus its kind or signature.
func (i Import) String() string {
	if i.Signature != "" {
		return i.Module + "." + i.Name + " " + i.Signature
	}
	return i.Module + "." + i.Name + " (" + i.Kind + ")"
}

// imports decodes the module's import section, resolving function signatures through its type
// section. A module without imports gives an empty list.
func imports(module []byte, sections []section) ([]Import, error) {
	var types []string
	var out []Import
	for _, s := range sections {
		var err error
		switch s.id {
		case sectionType:
			types, err = decodeTypes(module[s.payload:s.end])
		case sectionImport:
			out, err = decodeImports(module[s.payload:s.end], types)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	}
	return out, nil
}

// wasmReader walks a section payload.
type wasmReader struct {
	b   []byte
	off int
	err error
}

func (r *wasmReader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.err = errors.New("unexpected end of section")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *wasmReader) u32() uint32 {
	if r.err != nil {
		return 0
	}
	v, n, err := readU32(r.b[r.off:])
	r.off += n
	r.err = err
	return v
}

func (r *wasmReader) u64() uint64 {
	if r.err != nil {
		return 0
	}
	v, n, err := readU64(r.b[r.off:])
	r.off += n
	r.err = err
	return v
}

func (r *wasmReader) name() string {
	if r.err != nil {
		return ""
	}
	s, n, err := readName(r.b[r.off:])
	r.off += n
	r.err = err
	return s
}

// count reads a vector length and refuses one that cannot fit in what is left, so a forged
// length never sizes an allocation.
func (r *wasmReader) count() int {
	n := r.u32()
	if r.err == nil && uint64(n) > uint64(len(r.b)-r.off) {
		r.err = fmt.Errorf("vector of %d entries in %d bytes", n, len(r.b)-r.off)
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}

// limits skips a table or memory limits entry.
func (r *wasmReader) limits() {
	flags := r.byte()
	r.u64()
	if flags&0x01 != 0 {
		r.u64()
	}
}

// decodeTypes renders each function type of a type section.
func decodeTypes(payload []byte) ([]string, error) {
	r := &wasmReader{b: payload}
	n := r.count()
	types := make([]string, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		if form := r.byte(); r.err == nil && form != 0x60 {
			return nil, fmt.Errorf("type %d: form 0x%02x is not a function type", i, form)
		}
		params := r.valTypes()
		results := r.valTypes()
		types = append(types, "("+strings.Join(params, ", ")+") -> "+renderResults(results))
	}
	if r.err != nil {
		return nil, fmt.Errorf("type section: %v", r.err)
	}
	return types, nil
}

func renderResults(results []string) string {
	switch len(results) {
	case 0:
		return "()"
	case 1:
		return results[0]
	default:
		return "(" + strings.Join(results, ", ") + ")"
	}
}

func (r *wasmReader) valTypes() []string {
	n := r.count()
	out := make([]string, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, valTypeName(r.byte()))
	}
	return out
}

func valTypeName(t byte) string {
	switch t {
	case 0x7f:
		return "i32"
	case 0x7e:
		return "i64"
	case 0x7d:
		return "f32"
	case 0x7c:
		return "f64"
	case 0x7b:
		return "v128"
	case 0x70:
		return "funcref"
	case 0x6f:
		return "externref"
	default:
		return fmt.Sprintf("type(0x%02x)", t)
	}
}

// decodeImports decodes an import section.
func decodeImports(payload []byte, types []string) ([]Import, error) {
	r := &wasmReader{b: payload}
	n := r.count()
	out := make([]Import, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		imp := Import{Module: r.name(), Name: r.name()}
		switch kind := r.byte(); kind {
		case 0x00:
			imp.Kind = "func"
			idx := r.u32()
			if r.err == nil {
				if int(idx) >= len(types) {
					return nil, fmt.Errorf("import %s.%s: type index %d out of range", imp.Module, imp.Name, idx)
				}
				imp.Signature = types[idx]
			}
		case 0x01:
			imp.Kind = "table"
			r.byte()
			r.limits()
		case 0x02:
			imp.Kind = "memory"
			r.limits()
		case 0x03:
			imp.Kind = "global"
			r.byte()
			r.byte()
		case 0x04:
			imp.Kind = "tag"
			r.byte()
			r.u32()
		default:
			if r.err == nil {
				return nil, fmt.Errorf("import %s.%s: unknown kind 0x%02x", imp.Module, imp.Name, kind)
			}
		}
		if r.err == nil {
			out = append(out, imp)
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("import section: %v", r.err)
	}
	return out, nil
}
