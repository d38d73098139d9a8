package runtime

// nestingDepth walks the instructions of a function body (after its locals) and returns the
// most blocks open at once, or limit+1 as soon as it passes limit. It decodes every
// instruction's immediates only to find where the next instruction starts: MVP, multi-value,
// sign extension, non-trapping conversions, bulk memory, reference types, SIMD (with relaxed
// SIMD), threads, tail calls, typed function references and exception handling. An instruction
// it does not know gives a *FormatError; the engines would refuse it too.
func nestingDepth(r *reader, limit int) (int, error) {
	depth, deepest := 0, 0
	for r.remaining() > 0 {
		op, err := r.byte()
		if err != nil {
			return 0, err
		}
		switch {
		case op == 0x02 || op == 0x03 || op == 0x04 || op == 0x06: // block, loop, if, try
			if err := skipBlockType(r); err != nil {
				return 0, err
			}
			depth++
		case op == 0x1f: // try_table
			if err := skipBlockType(r); err != nil {
				return 0, err
			}
			if err := skipCatches(r); err != nil {
				return 0, err
			}
			depth++
		case op == 0x0b || op == 0x18: // end, delegate (which ends a try)
			if op == 0x18 {
				if _, err := r.u32(); err != nil {
					return 0, err
				}
			}
			if depth == 0 {
				return deepest, nil // the function's own end
			}
			depth--
		default:
			if err := skipImmediates(r, op); err != nil {
				return 0, err
			}
		}
		if depth > deepest {
			deepest = depth
			if deepest > limit {
				return deepest, nil
			}
		}
	}
	return deepest, nil
}

// skipImmediates skips the immediates of op, which opens or closes no block.
func skipImmediates(r *reader, op byte) error {
	switch {
	case op <= 0x01, op == 0x05, op == 0x0a, op == 0x0f, op == 0x19, op == 0x1a, op == 0x1b,
		op >= 0x45 && op <= 0xc4, op == 0xd1, op == 0xd3, op == 0xd4:
		return nil // no immediates
	case op >= 0x07 && op <= 0x09, op == 0x0c, op == 0x0d, op == 0x10, op == 0x12, op == 0x14,
		op == 0x15, op >= 0x20 && op <= 0x26, op == 0x3f, op == 0x40, op == 0xd2, op == 0xd5,
		op == 0xd6:
		_, err := r.u32() // one index
		return err
	case op == 0x11 || op == 0x13: // call_indirect, return_call_indirect: type, table
		return skipU32s(r, 2)
	case op == 0x0e: // br_table
		n, err := r.count()
		if err != nil {
			return err
		}
		return skipU32s(r, n+1)
	case op == 0x1c: // select with types
		n, err := r.count()
		if err != nil {
			return err
		}
		for range n {
			if err := skipValType(r); err != nil {
				return err
			}
		}
		return nil
	case op >= 0x28 && op <= 0x3e:
		return skipMemArg(r)
	case op == 0x41:
		return skipLEB(r, 5)
	case op == 0x42:
		return skipLEB(r, 10)
	case op == 0x43:
		_, err := r.bytes(4)
		return err
	case op == 0x44:
		_, err := r.bytes(8)
		return err
	case op == 0xd0: // ref.null heap type
		return skipLEB(r, 5)
	case op == 0xfc:
		return skipMiscImmediates(r)
	case op == 0xfd:
		return skipSIMDImmediates(r)
	case op == 0xfe:
		return skipAtomicImmediates(r)
	}
	return r.errorf("unknown instruction 0x%02x", op)
}

// skipMiscImmediates skips an 0xfc-prefixed instruction: saturating conversions, bulk memory
// and table instructions.
func skipMiscImmediates(r *reader) error {
	sub, err := r.u32()
	if err != nil {
		return err
	}
	switch {
	case sub <= 7:
		return nil
	case sub == 9 || sub == 11 || sub == 13 || (sub >= 15 && sub <= 17):
		return skipU32s(r, 1)
	case sub == 8 || sub == 10 || sub == 12 || sub == 14:
		return skipU32s(r, 2)
	}
	return r.errorf("unknown instruction 0xfc %d", sub)
}

// skipSIMDImmediates skips an 0xfd-prefixed (vector) instruction.
func skipSIMDImmediates(r *reader) error {
	sub, err := r.u32()
	if err != nil {
		return err
	}
	switch {
	case sub <= 11 || sub == 92 || sub == 93: // loads and stores
		return skipMemArg(r)
	case sub == 12 || sub == 13: // v128.const, i8x16.shuffle
		_, err := r.bytes(16)
		return err
	case sub >= 21 && sub <= 34: // extract and replace lane
		_, err := r.byte()
		return err
	case sub >= 84 && sub <= 91: // load and store lane
		if err := skipMemArg(r); err != nil {
			return err
		}
		_, err := r.byte()
		return err
	case sub <= 0x113:
		return nil
	}
	return r.errorf("unknown instruction 0xfd %d", sub)
}

// skipAtomicImmediates skips an 0xfe-prefixed (threads) instruction.
func skipAtomicImmediates(r *reader) error {
	sub, err := r.u32()
	if err != nil {
		return err
	}
	switch {
	case sub == 0x03: // atomic.fence
		_, err := r.byte()
		return err
	case sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e):
		return skipMemArg(r)
	}
	return r.errorf("unknown instruction 0xfe %d", sub)
}

// skipBlockType skips a block type: 0x40 (empty), a value type, or a type index (s33).
func skipBlockType(r *reader) error {
	if r.remaining() > 0 && (r.b[r.pos] == 0x63 || r.b[r.pos] == 0x64) {
		return skipValType(r)
	}
	return skipLEB(r, 5)
}

// skipCatches skips try_table's catch clauses.
func skipCatches(r *reader) error {
	n, err := r.count()
	if err != nil {
		return err
	}
	for range n {
		kind, err := r.byte()
		if err != nil {
			return err
		}
		switch kind {
		case 0x00, 0x01: // catch, catch_ref: tag, label
			err = skipU32s(r, 2)
		case 0x02, 0x03: // catch_all, catch_all_ref: label
			err = skipU32s(r, 1)
		default:
			err = r.errorf("unknown catch clause 0x%02x", kind)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// skipMemArg skips a memory argument: alignment (bit 6 set: a memory index follows) and offset
// (64 bits wide under memory64).
func skipMemArg(r *reader) error {
	align, err := r.u32()
	if err != nil {
		return err
	}
	if align&0x40 != 0 {
		if _, err := r.u32(); err != nil {
			return err
		}
	}
	_, err = r.uleb(64)
	return err
}

func skipU32s(r *reader, n int) error {
	for range n {
		if _, err := r.u32(); err != nil {
			return err
		}
	}
	return nil
}

// skipLEB skips a LEB128 integer, signed or not, of at most maxBytes bytes.
func skipLEB(r *reader, maxBytes int) error {
	for range maxBytes {
		c, err := r.byte()
		if err != nil {
			return err
		}
		if c&0x80 == 0 {
			return nil
		}
	}
	return r.errorf("integer too long")
}
