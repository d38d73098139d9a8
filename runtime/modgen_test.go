package runtime

import "bytes"

// startModule returns a module that exports one memory of a page and a _start of type ()->()
// whose body is locals (the encoded local declarations) then code (its instructions, without
// the final end). It imports nothing, so Check accepts it.
func startModule(bodies ...[]byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0x00, 'a', 's', 'm', 1, 0, 0, 0})
	section := func(id byte, payload []byte) {
		b.WriteByte(id)
		b.Write(uleb(uint64(len(payload))))
		b.Write(payload)
	}
	section(secType, []byte{1, 0x60, 0, 0})
	funcs := uleb(uint64(len(bodies)))
	for range bodies {
		funcs = append(funcs, 0)
	}
	section(secFunction, funcs)
	section(secMemory, []byte{1, 0, 1})
	exports := []byte{2, 6, 'm', 'e', 'm', 'o', 'r', 'y', byte(KindMemory), 0}
	exports = append(exports, 6, '_', 's', 't', 'a', 'r', 't', byte(KindFunc), 0)
	section(secExport, exports)
	code := uleb(uint64(len(bodies)))
	for _, body := range bodies {
		code = append(code, uleb(uint64(len(body)))...)
		code = append(code, body...)
	}
	section(secCode, code)
	return b.Bytes()
}

// nestedBody is a function body without locals that nests depth empty blocks.
func nestedBody(depth int) []byte {
	body := []byte{0} // no locals
	body = append(body, bytes.Repeat([]byte{0x02, 0x40}, depth)...)
	body = append(body, bytes.Repeat([]byte{0x0b}, depth)...)
	return append(body, 0x0b)
}
