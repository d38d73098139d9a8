package runtime

import (
	"fmt"
	"strings"
)

// Report is what Inspect learns from a module's binary without running or compiling it: enough
// to decide whether the module may load (see Check) and to show a user what it asks for.
type Report struct {
	Imports []Import
	Exports []Export
	Customs []CustomSection
	// Memory describes the module's first memory, imported or defined; nil if it has none.
	Memory *MemoryInfo
	// Memories counts all memories, imported and defined (ABI v1 allows exactly one).
	Memories int
}

// ExternKind is the kind of an import or export.
type ExternKind byte

// The extern kinds of https://webassembly.github.io/spec/core/binary/modules.html#import-section,
// plus tags from the exception-handling proposal.
const (
	KindFunc   ExternKind = 0
	KindTable  ExternKind = 1
	KindMemory ExternKind = 2
	KindGlobal ExternKind = 3
	KindTag    ExternKind = 4
)

func (k ExternKind) String() string {
	switch k {
	case KindFunc:
		return "func"
	case KindTable:
		return "table"
	case KindMemory:
		return "memory"
	case KindGlobal:
		return "global"
	case KindTag:
		return "tag"
	}
	return fmt.Sprintf("kind(%d)", byte(k))
}

// ValType is a WebAssembly value type, by its binary encoding.
type ValType byte

// The value types a module may use in a function signature.
const (
	ValI32       ValType = 0x7f
	ValI64       ValType = 0x7e
	ValF32       ValType = 0x7d
	ValF64       ValType = 0x7c
	ValV128      ValType = 0x7b
	ValFuncref   ValType = 0x70
	ValExternref ValType = 0x6f
)

func (v ValType) String() string {
	switch v {
	case ValI32:
		return "i32"
	case ValI64:
		return "i64"
	case ValF32:
		return "f32"
	case ValF64:
		return "f64"
	case ValV128:
		return "v128"
	case ValFuncref:
		return "funcref"
	case ValExternref:
		return "externref"
	}
	return fmt.Sprintf("type(0x%02x)", byte(v))
}

// FuncType is a function signature.
type FuncType struct {
	Params  []ValType
	Results []ValType
}

// String formats the signature as "(i32,i32)->i32".
func (f FuncType) String() string {
	return "(" + joinTypes(f.Params) + ")->" + results(f.Results)
}

func results(vs []ValType) string {
	if len(vs) == 1 {
		return vs[0].String()
	}
	return "(" + joinTypes(vs) + ")"
}

func joinTypes(vs []ValType) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ",")
}

// Import is one import of the module. Func is set for function imports.
type Import struct {
	Module string
	Name   string
	Kind   ExternKind
	Func   *FuncType
}

// Export is one export of the module. Func is set for function exports.
type Export struct {
	Name  string
	Kind  ExternKind
	Index uint32
	Func  *FuncType
}

// CustomSection is a custom section's name, payload size in bytes (after the name) and the
// offset of that payload in the module.
type CustomSection struct {
	Name   string
	Size   int
	Offset int
}

// MemoryInfo describes a memory's limits in 64 KiB pages.
type MemoryInfo struct {
	MinPages uint64
	MaxPages uint64 // valid if HasMax
	HasMax   bool
	Shared   bool
	Is64     bool
	Imported bool
	Exported bool
}

// PageSize is the size of a WebAssembly memory page in bytes.
const PageSize = 64 << 10

// FormatError reports malformed or truncated WebAssembly: the section being read (empty for
// the module header) and the absolute byte offset where decoding failed.
type FormatError struct {
	Section string
	Offset  int
	Msg     string
}

func (e *FormatError) Error() string {
	if e.Section == "" {
		return fmt.Sprintf("malformed wasm at offset %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("malformed wasm: %s section at offset %d: %s", e.Section, e.Offset, e.Msg)
}
