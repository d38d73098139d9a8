package runtime

import "fmt"

// TableWrite names the first instruction in wasm's code that changes a table or drops an
// element segment (table.set, table.grow, table.fill, table.copy, table.init, elem.drop), as
// "table.grow in function 12", or "" if there is none. Pre-initialisation snapshots memory and
// globals only, so it refuses a module whose initialisation could change its tables; the
// instructions are looked for in all of the code, since which functions _initialize reaches is
// not known without running it. wasm must have passed Inspect.
func TableWrite(wasm []byte) (string, error) {
	rep, err := Inspect(wasm)
	if err != nil {
		return "", err
	}
	importedFuncs := 0
	for _, im := range rep.Imports {
		if im.Kind == KindFunc {
			importedFuncs++
		}
	}
	r := &reader{b: wasm, pos: 8}
	for r.remaining() > 0 {
		id, err := r.byte()
		if err != nil {
			return "", err
		}
		size, err := r.u32()
		if err != nil {
			return "", err
		}
		start := r.offset()
		payload, err := r.bytes(uint64(size))
		if err != nil {
			return "", err
		}
		if id == secCode {
			return codeTableWrite(&reader{b: payload, base: start, section: "code"}, importedFuncs)
		}
	}
	return "", nil
}

func codeTableWrite(r *reader, importedFuncs int) (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	for i := range n {
		size, err := r.u32()
		if err != nil {
			return "", err
		}
		start := r.offset()
		b, err := r.bytes(uint64(size))
		if err != nil {
			return "", err
		}
		body := &reader{b: b, base: start, section: r.section}
		if _, err := countLocals(body); err != nil {
			return "", err
		}
		what, err := bodyTableWrite(body)
		if err != nil || what != "" {
			if what != "" {
				what = fmt.Sprintf("%s in function %d", what, uint64(importedFuncs)+uint64(i))
			}
			return what, err
		}
	}
	return "", nil
}

// tableWriters names the 0xfc-prefixed instructions that change a table or an element segment.
var tableWriters = map[uint32]string{12: "table.init", 13: "elem.drop", 14: "table.copy", 15: "table.grow", 17: "table.fill"}

// bodyTableWrite walks one function body's instructions (after its locals).
func bodyTableWrite(r *reader) (string, error) {
	for r.remaining() > 0 {
		op, err := r.byte()
		if err != nil {
			return "", err
		}
		switch {
		case op == 0x26:
			return "table.set", nil
		case op == 0x02 || op == 0x03 || op == 0x04 || op == 0x06: // block, loop, if, try
			err = skipBlockType(r)
		case op == 0x1f: // try_table
			if err = skipBlockType(r); err == nil {
				err = skipCatches(r)
			}
		case op == 0x0b: // end
		case op == 0x18: // delegate
			_, err = r.u32()
		case op == 0xfc:
			at := r.pos
			sub, subErr := r.u32()
			if subErr != nil {
				return "", subErr
			}
			if name, ok := tableWriters[sub]; ok {
				return name, nil
			}
			r.pos = at
			err = skipMiscImmediates(r)
		default:
			err = skipImmediates(r, op)
		}
		if err != nil {
			return "", err
		}
	}
	return "", nil
}
