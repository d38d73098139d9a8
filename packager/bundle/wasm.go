package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// wasmHeader is the magic number and version 1 every core WebAssembly module starts with.
var wasmHeader = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

// Wasm section ids this package looks inside.
const (
	sectionCustom = 0
	sectionType   = 1
	sectionImport = 2
)

// ErrMalformed is returned for bytes that are not a well-formed module at the section level:
// a wrong header, a truncated or overlong section, a bad LEB128 number or custom section name.
var ErrMalformed = errors.New("malformed wasm module")

// section is one section of a module, located by byte offsets into the module.
type section struct {
	id      byte
	name    string // custom sections only
	start   int    // offset of the id byte
	payload int    // offset of the payload (after the custom name, for custom sections)
	end     int    // offset just past the section
}

// parseSections splits a module into its sections. It checks the framing only (header, section
// sizes, custom section names); the runtime validates the contents.
func parseSections(module []byte) ([]section, error) {
	if len(module) < len(wasmHeader) || !bytes.Equal(module[:len(wasmHeader)], wasmHeader) {
		return nil, fmt.Errorf("%w: not a WebAssembly 1.0 module (bad header)", ErrMalformed)
	}
	var out []section
	off := len(wasmHeader)
	for off < len(module) {
		s := section{id: module[off], start: off}
		size, n, err := readU32(module[off+1:])
		if err != nil {
			return nil, fmt.Errorf("%w: section at offset %d: size: %v", ErrMalformed, off, err)
		}
		body := off + 1 + n
		if uint64(size) > uint64(len(module)-body) {
			return nil, fmt.Errorf("%w: section at offset %d: %d bytes declared, %d left (truncated?)",
				ErrMalformed, off, size, len(module)-body)
		}
		s.end = body + int(size)
		s.payload = body
		if s.id == sectionCustom {
			name, used, err := readName(module[body:s.end])
			if err != nil {
				return nil, fmt.Errorf("%w: custom section at offset %d: name: %v", ErrMalformed, off, err)
			}
			s.name = name
			s.payload = body + used
		}
		out = append(out, s)
		off = s.end
	}
	return out, nil
}

// customSection encodes a custom section with the given name and payload.
func customSection(name string, payload []byte) []byte {
	var content []byte
	content = appendU32(content, uint32(len(name)))
	content = append(content, name...)
	content = append(content, payload...)
	out := []byte{sectionCustom}
	out = appendU32(out, uint32(len(content)))
	return append(out, content...)
}

// withoutSections returns a copy of module with every section for which drop is true removed,
// the other bytes kept in order.
func withoutSections(module []byte, sections []section, drop func(section) bool) []byte {
	out := make([]byte, 0, len(module))
	out = append(out, module[:len(wasmHeader)]...)
	for _, s := range sections {
		if !drop(s) {
			out = append(out, module[s.start:s.end]...)
		}
	}
	return out
}

// readU32 decodes an unsigned LEB128 number of at most 32 bits and returns it with the bytes used.
func readU32(b []byte) (uint32, int, error) {
	var v uint64
	for i := 0; i < 5; i++ {
		if i >= len(b) {
			return 0, 0, errors.New("unexpected end of data")
		}
		c := b[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if v > 0xffffffff {
				return 0, 0, errors.New("number overflows 32 bits")
			}
			return uint32(v), i + 1, nil
		}
	}
	return 0, 0, errors.New("number longer than 5 bytes")
}

// readU64 decodes an unsigned LEB128 number of at most 64 bits.
func readU64(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if i >= len(b) {
			return 0, 0, errors.New("unexpected end of data")
		}
		c := b[i]
		if i == 9 && c > 1 {
			return 0, 0, errors.New("number overflows 64 bits")
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("number longer than 10 bytes")
}

// readName decodes a wasm name: a length-prefixed UTF-8 string.
func readName(b []byte) (string, int, error) {
	n, used, err := readU32(b)
	if err != nil {
		return "", 0, err
	}
	if uint64(n) > uint64(len(b)-used) {
		return "", 0, fmt.Errorf("%d bytes declared, %d left", n, len(b)-used)
	}
	s := b[used : used+int(n)]
	if !utf8.Valid(s) {
		return "", 0, errors.New("not UTF-8")
	}
	return string(s), used + int(n), nil
}

// appendU32 appends v in unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}
