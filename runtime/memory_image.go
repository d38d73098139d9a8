package runtime

import (
	"encoding/binary"
	"sync"
)

// memoryImage is a module's linear memory as its active data segments leave it at
// instantiation: wazero instantiates a module whose segments were emptied (see
// splitDataSegments) into memory that already holds the image, so that an instance does not
// copy the segments again. On Linux a large image is also kept in a memory file and mapped
// copy-on-write into each instance (see imageFile): pages the agent never writes are shared by
// all its instances and never copied.
type memoryImage struct {
	// data is the memory's first len(data) bytes; the rest of the memory is zero. It never
	// extends past the module's initial memory.
	data []byte
	file *imageFile // nil when the image is copied rather than mapped

	// initial is the size of the module's initial memory. Copied memories of that size whose
	// instance ended wait in spare, zeroed, for the next instance (see limitedMemory.Free),
	// when initial is at most spareMax.
	initial uint64
	spare   sync.Pool // of *[]byte
}

// spareMax is the largest initial memory whose buffers are kept for reuse: small agents, which
// start by the tens of thousands and whose start the allocation and zeroing of a fresh buffer
// dominates.
const spareMax = 1 << 20

// newMemoryImage returns the module that wazero should compile for wasm (rep is its Inspect
// report) and the image its instances start from, or wasm itself and nil when its data
// segments cannot be moved soundly (see splitDataSegments).
func newMemoryImage(wasm []byte, rep *Report) ([]byte, *memoryImage) {
	code, data, ok := splitDataSegments(wasm, rep)
	if !ok {
		return wasm, nil
	}
	return code, &memoryImage{data: data, file: newImageFile(data), initial: rep.Memory.MinPages * PageSize}
}

// Close releases the image's memory file; instances that mapped it keep their mappings.
func (i *memoryImage) Close() {
	if i.file != nil {
		_ = i.file.Close()
	}
}

// maxImageGrowth bounds an image relative to its module: active segments at scattered offsets
// could otherwise describe an image far larger than the module, all of it zero. Such modules
// keep their segments.
const maxImageGrowth = 16

// mappedImageMin is the smallest image mapped rather than copied: below it a copy costs less
// than the two mappings, and small agents (tens of thousands of them) do not use up the
// kernel's limit on mappings per process (vm.max_map_count).
const mappedImageMin = 64 << 10

// splitDataSegments moves the bytes of wasm's active data segments into a memory image. It
// returns the module with every active segment emptied (its memory index and offset kept, its
// bytes gone; or left out, see splitDataSection) and the image those segments wrote (empty
// when there are none), or ok false when the module is not one whose segments can be moved
// soundly: it has no defined memory of its own, or a shared or 64-bit one, a segment whose
// offset is not a constant, a segment that does not fit in the initial memory (instantiation
// fails there, and must keep failing the same way), or an image far larger than the module.
// rep is wasm's Inspect report.
//
// # Notes
//
// An emptied active segment behaves as the original does after instantiation, where the
// specification drops active segments (memory.init of one traps unless its length is 0). The
// module section order and every other section are kept byte for byte.
func splitDataSegments(wasm []byte, rep *Report) (stripped, image []byte, ok bool) {
	mem := rep.Memory
	if rep.Memories != 1 || mem == nil || mem.Imported || mem.Shared || mem.Is64 {
		return nil, nil, false
	}
	minBytes := mem.MinPages * PageSize
	counted := false // a data count section came first
	r := &reader{b: wasm, pos: 8}
	for r.remaining() > 0 {
		sectionStart := r.pos
		id, err := r.byte()
		if err != nil {
			return nil, nil, false
		}
		size, err := r.u32()
		if err != nil {
			return nil, nil, false
		}
		payload, err := r.bytes(uint64(size))
		if err != nil {
			return nil, nil, false
		}
		if id == secDataCount {
			counted = true
		}
		if id != secData {
			continue
		}
		section, image, ok := splitDataSection(payload, minBytes, uint64(len(wasm)), counted)
		if !ok {
			return nil, nil, false
		}
		out := make([]byte, 0, len(wasm)-len(payload)+len(section))
		out = append(out, wasm[:sectionStart]...)
		out = append(out, secData)
		out = binary.AppendUvarint(out, uint64(len(section)))
		out = append(out, section...)
		out = append(out, wasm[r.pos:]...)
		return out, image, true
	}
	return wasm, nil, true
}

// splitDataSection rewrites a data section's payload with its active segments emptied and
// returns it with the image of those segments. Without a data count section (counted false)
// no instruction can name a segment (memory.init and data.drop need one to validate), so
// the emptied segments are left out altogether: wazero keeps a record per segment and
// instance, and a Go program has tens of thousands of them.
func splitDataSection(payload []byte, minBytes, moduleSize uint64, counted bool) (section, image []byte, ok bool) {
	r := &reader{b: payload}
	n, err := r.count()
	if err != nil {
		return nil, nil, false
	}
	type active struct {
		offset uint64
		init   []byte
	}
	segs := make([]active, 0, n)
	var body []byte
	kept := 0
	var end uint64
	for range n {
		start := r.pos
		flags, err := r.u32()
		if err != nil {
			return nil, nil, false
		}
		switch flags {
		case 1: // passive: kept whole
			size, err := r.u32()
			if err != nil {
				return nil, nil, false
			}
			if _, err := r.bytes(uint64(size)); err != nil {
				return nil, nil, false
			}
			body = append(body, payload[start:r.pos]...)
			kept++
			continue
		case 2: // active with a memory index, which must be 0
			if idx, err := r.u32(); err != nil || idx != 0 {
				return nil, nil, false
			}
		case 0:
		default:
			return nil, nil, false
		}
		offset, ok := constOffset(r)
		if !ok {
			return nil, nil, false
		}
		lenStart := r.pos
		size, err := r.u32()
		if err != nil {
			return nil, nil, false
		}
		init, err := r.bytes(uint64(size))
		if err != nil {
			return nil, nil, false
		}
		if offset+uint64(size) > minBytes {
			return nil, nil, false
		}
		if size > 0 {
			end = max(end, offset+uint64(size))
			segs = append(segs, active{offset, init})
		}
		if counted {
			// The header up to the length, then a length of 0 in place of the length and bytes.
			body = append(body, payload[start:lenStart]...)
			body = append(body, 0)
			kept++
		}
	}
	if r.remaining() != 0 || end > max(maxImageGrowth*moduleSize, 1<<20) {
		return nil, nil, false
	}
	image = make([]byte, end)
	for _, s := range segs {
		copy(image[s.offset:], s.init)
	}
	section = binary.AppendUvarint(make([]byte, 0, len(body)+5), uint64(kept))
	return append(section, body...), image, true
}

// constOffset reads an offset expression that is a single i32.const and its end.
func constOffset(r *reader) (uint64, bool) {
	op, err := r.byte()
	if err != nil || op != 0x41 { // i32.const
		return 0, false
	}
	v, err := r.sleb32()
	if err != nil {
		return 0, false
	}
	if end, err := r.byte(); err != nil || end != 0x0b {
		return 0, false
	}
	// A negative i32 is an unsigned offset of 2 GiB or more, which no initial memory this
	// function accepts reaches; the caller's bound check refuses it.
	return uint64(uint32(v)), true
}

// sleb32 decodes a signed LEB128 integer of at most 32 bits (an i32.const immediate).
func (r *reader) sleb32() (int32, error) {
	var v int64
	var shift uint
	for {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			break
		}
		if shift >= 35 {
			return 0, r.errorf("i32 constant too long")
		}
	}
	if v < -1<<31 || v > 1<<31-1 {
		return 0, r.errorf("i32 constant out of range")
	}
	return int32(v), nil
}
