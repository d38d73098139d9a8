package preinit

import (
	"encoding/binary"
	"fmt"
)

// snapshot is the state of an instance after _initialize.
type snapshot struct {
	memory  []byte
	globals map[int]uint64 // mutable globals' values, by index in the global section
}

// globalExport is the name under which the instrumented module exports mutable global i.
func globalExport(i int) string { return fmt.Sprintf("aios.preinit.global.%d", i) }

// instrumented returns the module with every mutable global exported, so the snapshot can read
// globals that the module keeps to itself.
func (m *module) instrumented() []byte {
	out := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range m.sections {
		if s.id != secExport {
			out = append(out, s.raw...)
			continue
		}
		extra := 0
		var p []byte
		for i, g := range m.globals {
			if g.mutable {
				p = appendName(p, globalExport(i))
				p = append(p, 0x03) // global
				p = appendULEB(p, uint64(i))
				extra++
			}
		}
		d := &decoder{b: s.payload}
		n, _ := d.u32() // parseModule read it
		payload := appendULEB(nil, uint64(n)+uint64(extra))
		payload = append(payload, s.payload[d.pos:]...)
		out = appendSection(out, secExport, append(payload, p...))
	}
	return out
}

// rewrite builds the pre-initialised module: memory and globals start as snap holds them,
// _initialize is a new empty function, and no start function runs. Every other section is
// copied byte for byte.
func (m *module) rewrite(snap snapshot, importedFuncs uint32) ([]byte, int, error) {
	pages := uint64(len(snap.memory)) / 65536
	if m.memory.flags&0x01 != 0 && pages > m.memory.max {
		return nil, 0, fmt.Errorf("memory of %d pages is above its maximum %d", pages, m.memory.max)
	}
	emptyType := uint32(m.emptyType)
	if m.emptyType < 0 {
		emptyType = m.typeCount
	}
	newFunc := importedFuncs + m.funcCount
	segs := segmentsOf(snap.memory)
	out := []byte("\x00asm\x01\x00\x00\x00")
	wroteData := false
	for _, s := range m.sections {
		switch s.id {
		case secType:
			if m.emptyType >= 0 {
				out = append(out, s.raw...)
				continue
			}
			p := appendULEB(nil, uint64(m.typeCount)+1)
			p = append(p, m.typesRest...)
			out = appendSection(out, secType, append(p, 0x60, 0, 0))
		case secFunction:
			p := appendULEB(nil, uint64(m.funcCount)+1)
			p = append(p, m.funcsRest...)
			out = appendSection(out, secFunction, appendULEB(p, uint64(emptyType)))
		case secMemory:
			p := []byte{1, m.memory.flags}
			p = appendULEB(p, max(m.memory.min, pages))
			if m.memory.flags&0x01 != 0 {
				p = appendULEB(p, m.memory.max)
			}
			out = appendSection(out, secMemory, p)
		case secGlobal:
			out = appendSection(out, secGlobal, m.globalSection(snap.globals))
		case secExport:
			out = appendSection(out, secExport, m.exportSection(newFunc))
		case secStart:
			// Dropped: it ran before the snapshot.
		case secDataCount:
			out = appendSection(out, secDataCount, appendULEB(nil, uint64(len(segs))))
		case secCode:
			p := appendULEB(nil, uint64(m.funcCount)+1)
			p = append(p, m.codeRest...)
			p = append(p, 2, 0x00, 0x0b) // a body of 2 bytes: no locals, end
			out = appendSection(out, secCode, p)
			if !m.hasData() {
				out = appendDataSection(out, segs)
				wroteData = true
			}
		case secData:
			out = appendDataSection(out, segs)
			wroteData = true
		default:
			out = append(out, s.raw...)
		}
	}
	if !wroteData {
		return nil, 0, errNoCode
	}
	return out, len(segs), nil
}

func (m *module) hasData() bool {
	for _, s := range m.sections {
		if s.id == secData {
			return true
		}
	}
	return false
}

// globalSection encodes the globals with every mutable one starting at its snapshot value.
func (m *module) globalSection(values map[int]uint64) []byte {
	p := appendULEB(nil, uint64(len(m.globals)))
	for i, g := range m.globals {
		p = append(p, g.typ...)
		v, ok := values[i]
		if !g.mutable || !ok {
			p = append(p, g.init...)
			continue
		}
		switch g.valType {
		case valI32:
			p = appendSLEB(append(p, 0x41), int64(int32(uint32(v))))
		case valI64:
			p = appendSLEB(append(p, 0x42), int64(v))
		case valF32:
			p = binary.LittleEndian.AppendUint32(append(p, 0x43), uint32(v))
		case valF64:
			p = binary.LittleEndian.AppendUint64(append(p, 0x44), v)
		}
		p = append(p, 0x0b)
	}
	return p
}

// exportSection encodes the exports with _initialize pointing at function newFunc.
func (m *module) exportSection(newFunc uint32) []byte {
	p := appendULEB(nil, uint64(len(m.exports)))
	for _, e := range m.exports {
		p = appendName(p, e.name)
		p = append(p, e.kind)
		idx := e.index
		if e.name == initializeExport && e.kind == 0x00 {
			idx = newFunc
		}
		p = appendULEB(p, uint64(idx))
	}
	return p
}
