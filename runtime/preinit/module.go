package preinit

import (
	"errors"
	"fmt"
)

// module is what pre-initialisation needs to know of a module's sections.
type module struct {
	sections []section

	typeCount  uint32
	emptyType  int // index of a ()->() function type, or -1
	typesRest  []byte
	funcCount  uint32
	funcsRest  []byte
	codeRest   []byte
	memory     memoryType
	globals    []global
	exports    []export
	dataCount  int
	hasPassive bool
}

// memoryType is the module's one memory's limits.
type memoryType struct {
	flags    byte
	min, max uint64
}

// global is one global of the global section: its type bytes as they stand and its
// initialiser (a constant expression, including its end).
type global struct {
	typ     []byte // value type and mutability, as encoded
	valType byte
	mutable bool
	init    []byte
}

type export struct {
	name  string
	kind  byte
	index uint32
}

// Value types (https://webassembly.github.io/spec/core/binary/types.html).
const (
	valI32 = 0x7f
	valI64 = 0x7e
	valF32 = 0x7d
	valF64 = 0x7c
)

func parseModule(wasm []byte) (*module, error) {
	sections, err := splitSections(wasm)
	if err != nil {
		return nil, err
	}
	m := &module{sections: sections, emptyType: -1}
	for _, s := range sections {
		d := &decoder{b: s.payload}
		switch s.id {
		case secType:
			err = m.parseTypes(d)
		case secFunction:
			m.funcCount, err = d.u32()
			m.funcsRest = d.b[d.pos:]
		case secCode:
			_, err = d.u32()
			m.codeRest = d.b[d.pos:]
		case secMemory:
			err = m.parseMemory(d)
		case secGlobal:
			err = m.parseGlobals(d)
		case secExport:
			err = m.parseExports(d)
		case secData:
			err = m.parseData(d)
		}
		if err != nil {
			return nil, fmt.Errorf("section %d: %w", s.id, err)
		}
	}
	return m, nil
}

func (m *module) parseTypes(d *decoder) error {
	n, err := d.u32()
	if err != nil {
		return err
	}
	m.typeCount = n
	m.typesRest = d.b[d.pos:]
	for i := range n {
		form, err := d.byte()
		if err != nil {
			return err
		}
		if form != 0x60 {
			return fmt.Errorf("type %d is not a plain function type (form 0x%02x)", i, form)
		}
		params, err := skipValTypes(d)
		if err != nil {
			return err
		}
		results, err := skipValTypes(d)
		if err != nil {
			return err
		}
		if params == 0 && results == 0 && m.emptyType < 0 {
			m.emptyType = int(i)
		}
	}
	return nil
}

func skipValTypes(d *decoder) (uint32, error) {
	n, err := d.u32()
	if err != nil {
		return 0, err
	}
	for range n {
		if _, err := valType(d); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// valType reads a value type, including typed references (0x63, 0x64 and a heap type).
func valType(d *decoder) (byte, error) {
	c, err := d.byte()
	if err == nil && (c == 0x63 || c == 0x64) {
		err = d.skipLEB(5)
	}
	return c, err
}

func (m *module) parseMemory(d *decoder) error {
	n, err := d.u32()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%d memories, want 1", n)
	}
	if m.memory.flags, err = d.byte(); err != nil {
		return err
	}
	if m.memory.flags&^0x01 != 0 {
		return &RefusedError{Reason: fmt.Sprintf("its memory is shared or 64-bit (limits flags 0x%02x): threads are not supported", m.memory.flags)}
	}
	if m.memory.min, err = d.uleb(5); err != nil {
		return err
	}
	if m.memory.flags&0x01 != 0 {
		m.memory.max, err = d.uleb(5)
	}
	return err
}

func (m *module) parseGlobals(d *decoder) error {
	n, err := d.u32()
	if err != nil {
		return err
	}
	for range n {
		start := d.pos
		vt, err := valType(d)
		if err != nil {
			return err
		}
		mut, err := d.byte()
		if err != nil {
			return err
		}
		typ := d.b[start:d.pos]
		initStart := d.pos
		if err := skipConstExpr(d); err != nil {
			return err
		}
		m.globals = append(m.globals, global{typ: typ, valType: vt, mutable: mut == 1, init: d.b[initStart:d.pos]})
	}
	return nil
}

// skipConstExpr skips a constant expression up to and including its end.
func skipConstExpr(d *decoder) error {
	for {
		op, err := d.byte()
		if err != nil {
			return err
		}
		switch op {
		case 0x0b: // end
			return nil
		case 0x41, 0xd0: // i32.const, ref.null
			err = d.skipLEB(5)
		case 0x42: // i64.const
			err = d.skipLEB(10)
		case 0x43:
			_, err = d.bytes(4)
		case 0x44:
			_, err = d.bytes(8)
		case 0x23, 0xd2: // global.get, ref.func
			_, err = d.u32()
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended constants: add, sub, mul
		case 0xfd: // v128.const
			var sub uint32
			if sub, err = d.u32(); err == nil && sub != 12 {
				err = fmt.Errorf("instruction 0xfd %d in a constant expression", sub)
			}
			if err == nil {
				_, err = d.bytes(16)
			}
		default:
			err = fmt.Errorf("instruction 0x%02x in a constant expression", op)
		}
		if err != nil {
			return err
		}
	}
}

func (m *module) parseExports(d *decoder) error {
	n, err := d.u32()
	if err != nil {
		return err
	}
	for range n {
		l, err := d.u32()
		if err != nil {
			return err
		}
		name, err := d.bytes(int(l))
		if err != nil {
			return err
		}
		kind, err := d.byte()
		if err != nil {
			return err
		}
		idx, err := d.u32()
		if err != nil {
			return err
		}
		m.exports = append(m.exports, export{name: string(name), kind: kind, index: idx})
	}
	return nil
}

func (m *module) parseData(d *decoder) error {
	n, err := d.u32()
	if err != nil {
		return err
	}
	m.dataCount = int(n)
	for range n {
		flags, err := d.u32()
		if err != nil {
			return err
		}
		switch flags {
		case 0:
			err = skipConstExpr(d)
		case 1:
			m.hasPassive = true
		case 2:
			if _, err = d.u32(); err == nil {
				err = skipConstExpr(d)
			}
		default:
			err = fmt.Errorf("data segment flags %d", flags)
		}
		if err != nil {
			return err
		}
		l, err := d.u32()
		if err != nil {
			return err
		}
		if _, err := d.bytes(int(l)); err != nil {
			return err
		}
	}
	return nil
}

// export returns the export called name, or nil.
func (m *module) export(name string) *export {
	for i := range m.exports {
		if m.exports[i].name == name {
			return &m.exports[i]
		}
	}
	return nil
}

var errNoCode = errors.New("the module has no code section")
