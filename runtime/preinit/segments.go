package preinit

// segment is a range of the memory snapshot that becomes one active data segment.
type segment struct {
	offset uint32
	data   []byte
}

// maxSegments keeps the data section well under the 100,000 segments aios accepts (docs/ABI.md
// section 1.1).
const maxSegments = 20000

// segmentsOf covers mem's non-zero bytes with data segments: runs of non-zero bytes, joined
// when fewer than gap zero bytes lie between them (a segment's own encoding costs about ten
// bytes). The gap doubles until there are at most maxSegments.
func segmentsOf(mem []byte) []segment {
	for gap := 16; ; gap *= 2 {
		segs := nonZeroRuns(mem, gap)
		if len(segs) <= maxSegments {
			return segs
		}
	}
}

func nonZeroRuns(mem []byte, gap int) []segment {
	var segs []segment
	i := 0
	for i < len(mem) {
		for i < len(mem) && mem[i] == 0 {
			i++
		}
		if i == len(mem) {
			break
		}
		start, end := i, i
		for i < len(mem) {
			if mem[i] != 0 {
				i++
				end = i
				continue
			}
			z := i
			for z < len(mem) && mem[z] == 0 && z-end < gap {
				z++
			}
			if z == len(mem) || mem[z] == 0 {
				break // gap reached, or zeros to the end
			}
			i = z
		}
		segs = append(segs, segment{offset: uint32(start), data: mem[start:end]})
		i = end
	}
	return segs
}

// appendDataSection appends the data section holding segs, all active in memory 0.
func appendDataSection(b []byte, segs []segment) []byte {
	size := 0
	for _, s := range segs {
		size += len(s.data) + 16
	}
	p := make([]byte, 0, size+5)
	p = appendULEB(p, uint64(len(segs)))
	for _, s := range segs {
		p = append(p, 0x00, 0x41) // active in memory 0; i32.const
		p = appendSLEB(p, int64(int32(s.offset)))
		p = append(p, 0x0b)
		p = appendULEB(p, uint64(len(s.data)))
		p = append(p, s.data...)
	}
	return appendSection(b, secData, p)
}
