package runtime

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Section ids of https://webassembly.github.io/spec/core/binary/modules.html#sections, plus the
// tag section of the exception-handling proposal.
const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
	secTag       = 13
)

var sectionNames = [...]string{"custom", "type", "import", "function", "table", "memory",
	"global", "export", "start", "element", "code", "data", "data count", "tag"}

// sectionRank is the position each non-custom section must keep: they appear at most once, in
// this order.
var sectionRank = [...]int{secType: 1, secImport: 2, secFunction: 3, secTable: 4, secMemory: 5,
	secTag: 6, secGlobal: 7, secExport: 8, secStart: 9, secElement: 10, secDataCount: 11,
	secCode: 12, secData: 13}

var wasmMagic = []byte{0x00, 'a', 's', 'm'}

// Inspect decodes the parts of a WebAssembly module that decide whether it may load: imports
// with their signatures, exports, custom sections and memory limits. It does not validate
// function bodies (the engine does that when compiling).
//
// Inspect never panics and allocates at most in proportion to len(wasm); malformed or truncated
// input gives a *FormatError naming the section and offset.
func Inspect(wasm []byte) (*Report, error) {
	if len(wasm) < 8 {
		return nil, &FormatError{Offset: len(wasm), Msg: fmt.Sprintf("truncated header: %d bytes, want at least 8", len(wasm))}
	}
	if !bytes.Equal(wasm[:4], wasmMagic) {
		return nil, &FormatError{Msg: "not a WebAssembly module (bad magic number)"}
	}
	if v := binary.LittleEndian.Uint32(wasm[4:8]); v != 1 {
		return nil, &FormatError{Offset: 4, Msg: fmt.Sprintf("unsupported binary version 0x%x (not a core module of version 1)", v)}
	}
	p := &parser{rep: &Report{}}
	r := &reader{b: wasm, pos: 8}
	lastRank := 0
	for r.remaining() > 0 {
		r.section = ""
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		if int(id) >= len(sectionNames) {
			return nil, &FormatError{Offset: r.offset() - 1, Msg: fmt.Sprintf("unknown section id %d", id)}
		}
		r.section = sectionNames[id]
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		start := r.offset()
		payload, err := r.bytes(uint64(size))
		if err != nil {
			return nil, r.errorf("section size %d exceeds the %d bytes left (truncated module?)", size, r.remaining())
		}
		if id != secCustom {
			if rank := sectionRank[id]; rank <= lastRank {
				return nil, &FormatError{Section: sectionNames[id], Offset: start, Msg: "section out of order or repeated"}
			} else {
				lastRank = rank
			}
		}
		sr := &reader{b: payload, base: start, section: sectionNames[id]}
		if err := p.section(id, sr); err != nil {
			return nil, err
		}
		if sr.remaining() != 0 {
			return nil, sr.errorf("%d unexpected bytes at the end of the section", sr.remaining())
		}
	}
	return p.rep, nil
}

// parser holds what later sections need from earlier ones.
type parser struct {
	rep       *Report
	types     []FuncType
	funcTypes []uint32 // type index of each function, imported ones first
}

func (p *parser) section(id byte, r *reader) error {
	switch id {
	case secCustom:
		return p.custom(r)
	case secType:
		return p.typeSection(r)
	case secImport:
		return p.importSection(r)
	case secFunction:
		return p.functionSection(r)
	case secTable:
		return p.tableSection(r)
	case secMemory:
		return p.memorySection(r)
	case secExport:
		return p.exportSection(r)
	}
	r.pos = len(r.b) // sections that do not affect loading are left to the engine
	return nil
}

func (p *parser) custom(r *reader) error {
	name, err := r.name()
	if err != nil {
		return err
	}
	p.rep.Customs = append(p.rep.Customs, CustomSection{Name: name, Size: r.remaining(), Offset: r.offset()})
	r.pos = len(r.b)
	return nil
}
