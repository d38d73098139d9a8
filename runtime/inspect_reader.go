package runtime

import (
	"fmt"
	"unicode/utf8"
)

// reader decodes the primitive encodings of the WebAssembly binary format
// (https://webassembly.github.io/spec/core/binary/values.html) from a byte slice without ever
// reading past its end. base is the offset of b[0] in the whole module, so errors can name an
// absolute position.
type reader struct {
	b       []byte
	pos     int
	base    int
	section string
}

func (r *reader) offset() int { return r.base + r.pos }

func (r *reader) remaining() int { return len(r.b) - r.pos }

func (r *reader) errorf(format string, args ...any) error {
	return &FormatError{Section: r.section, Offset: r.offset(), Msg: fmt.Sprintf(format, args...)}
}

func (r *reader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, r.errorf("unexpected end")
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

// bytes returns the next n bytes; the slice aliases the input.
func (r *reader) bytes(n uint64) ([]byte, error) {
	if n > uint64(r.remaining()) {
		return nil, r.errorf("length %d exceeds the %d bytes left", n, r.remaining())
	}
	s := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return s, nil
}

// uleb decodes an unsigned LEB128 integer of at most bits bits.
func (r *reader) uleb(bits uint) (uint64, error) {
	start := r.offset()
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if shift+7 >= bits && c>>(bits-shift) != 0 {
			return 0, &FormatError{Section: r.section, Offset: start, Msg: fmt.Sprintf("integer too large for u%d", bits)}
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

func (r *reader) u32() (uint32, error) {
	v, err := r.uleb(32)
	return uint32(v), err
}

// count reads a vector length and refuses one that cannot fit in the bytes left, assuming each
// element takes at least one byte; this bounds every allocation by the input size.
func (r *reader) count() (int, error) {
	n, err := r.u32()
	if err != nil {
		return 0, err
	}
	if uint64(n) > uint64(r.remaining()) {
		return 0, r.errorf("vector of %d elements exceeds the %d bytes left", n, r.remaining())
	}
	return int(n), nil
}

func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	start := r.offset()
	b, err := r.bytes(uint64(n))
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", &FormatError{Section: r.section, Offset: start, Msg: "name is not valid UTF-8"}
	}
	return string(b), nil
}
