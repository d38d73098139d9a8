package runtime

// Limit flags of https://webassembly.github.io/spec/core/binary/types.html#limits, extended by
// the threads (shared) and memory64 proposals.
const (
	limitHasMax = 0x01
	limitShared = 0x02
	limit64     = 0x04
)

type limitsInfo struct {
	min, max uint64
	flags    byte
}

func readLimits(r *reader, allowed byte) (limitsInfo, error) {
	flags, err := r.byte()
	if err != nil {
		return limitsInfo{}, err
	}
	if flags&^allowed != 0 {
		return limitsInfo{}, r.errorf("unsupported limits flags 0x%02x", flags)
	}
	bits := uint(32)
	if flags&limit64 != 0 {
		bits = 64
	}
	l := limitsInfo{flags: flags}
	if l.min, err = r.uleb(bits); err != nil {
		return limitsInfo{}, err
	}
	if flags&limitHasMax != 0 {
		if l.max, err = r.uleb(bits); err != nil {
			return limitsInfo{}, err
		}
		if l.max < l.min {
			return limitsInfo{}, r.errorf("maximum %d is below minimum %d", l.max, l.min)
		}
	}
	return l, nil
}

// memory reads a memory type and records it; the first memory is the one Report describes.
func (p *parser) memory(r *reader, imported bool) error {
	l, err := readLimits(r, limitHasMax|limitShared|limit64)
	if err != nil {
		return err
	}
	p.rep.Memories++
	if p.rep.Memory == nil {
		p.rep.Memory = &MemoryInfo{
			MinPages: l.min,
			MaxPages: l.max,
			HasMax:   l.flags&limitHasMax != 0,
			Shared:   l.flags&limitShared != 0,
			Is64:     l.flags&limit64 != 0,
			Imported: imported,
		}
	}
	return nil
}

func tableType(r *reader) error {
	rt, err := valType(r)
	if err != nil {
		return err
	}
	if rt != ValFuncref && rt != ValExternref {
		return r.errorf("table element type %s is not a reference type", rt)
	}
	_, err = readLimits(r, limitHasMax|limit64)
	return err
}

func globalType(r *reader) error {
	if _, err := valType(r); err != nil {
		return err
	}
	mut, err := r.byte()
	if err != nil {
		return err
	}
	if mut > 1 {
		return r.errorf("invalid global mutability 0x%02x", mut)
	}
	return nil
}

func (p *parser) tagType(r *reader) error {
	attr, err := r.byte()
	if err != nil {
		return err
	}
	if attr != 0 {
		return r.errorf("invalid tag attribute 0x%02x", attr)
	}
	_, _, err = p.funcType(r)
	return err
}
