package preinit

import (
	"errors"
	"fmt"
)

// Section ids of the WebAssembly binary format
// (https://webassembly.github.io/spec/core/binary/modules.html#sections).
const (
	secCustom    = 0
	secType      = 1
	secFunction  = 3
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secCode      = 10
	secData      = 11
	secDataCount = 12
)

var errTruncated = errors.New("unexpected end")

// section is one section of a module: its id and payload. Sections left alone are copied
// byte for byte from raw.
type section struct {
	id      byte
	payload []byte
	raw     []byte // the whole section: id, size and payload
}

// splitSections cuts a module into its sections.
func splitSections(wasm []byte) ([]section, error) {
	if len(wasm) < 8 || string(wasm[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module")
	}
	d := &decoder{b: wasm, pos: 8}
	var out []section
	for d.pos < len(d.b) {
		start := d.pos
		id, err := d.byte()
		if err != nil {
			return nil, err
		}
		size, err := d.u32()
		if err != nil {
			return nil, err
		}
		payload, err := d.bytes(int(size))
		if err != nil {
			return nil, fmt.Errorf("section %d at offset %d: %w", id, start, err)
		}
		out = append(out, section{id: id, payload: payload, raw: wasm[start:d.pos]})
	}
	return out, nil
}

// decoder reads the binary format's primitive encodings without reading past the end.
type decoder struct {
	b   []byte
	pos int
}

func (d *decoder) byte() (byte, error) {
	if d.pos >= len(d.b) {
		return 0, errTruncated
	}
	c := d.b[d.pos]
	d.pos++
	return c, nil
}

func (d *decoder) bytes(n int) ([]byte, error) {
	if n < 0 || n > len(d.b)-d.pos {
		return nil, errTruncated
	}
	b := d.b[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

// uleb reads an unsigned LEB128 number of at most maxBytes bytes.
func (d *decoder) uleb(maxBytes int) (uint64, error) {
	var v uint64
	for i := range maxBytes {
		c, err := d.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errors.New("LEB128 number too long")
}

func (d *decoder) u32() (uint32, error) {
	v, err := d.uleb(5)
	if v > 0xffffffff {
		return 0, errors.New("u32 out of range")
	}
	return uint32(v), err
}

// skipLEB skips a signed or unsigned LEB128 number.
func (d *decoder) skipLEB(maxBytes int) error {
	_, err := d.uleb(maxBytes)
	return err
}

// appendULEB appends v in unsigned LEB128.
func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// appendSLEB appends v in signed LEB128.
func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// appendSection appends a section with id and payload.
func appendSection(b []byte, id byte, payload []byte) []byte {
	b = append(b, id)
	b = appendULEB(b, uint64(len(payload)))
	return append(b, payload...)
}

// appendName appends a name (length and bytes).
func appendName(b []byte, s string) []byte {
	b = appendULEB(b, uint64(len(s)))
	return append(b, s...)
}
