package hostcalls

import (
	"encoding/binary"
	"math"
	"strconv"
)

// checkRange reports whether [ptr, ptr+n) lies inside mem. ptr and n come from the guest as
// zero-extended i32 values; the sum is taken in 64 bits, so a range that wraps past 2^32 is
// outside, never a small offset.
func checkRange(mem Memory, ptr, n uint64) error {
	if ptr > math.MaxUint32 || n > math.MaxUint32 || ptr+n > uint64(mem.Size()) {
		return fail(EFAULT, "range ["+strconv.FormatUint(ptr, 10)+", +"+strconv.FormatUint(n, 10)+
			") is outside the agent's memory ("+strconv.FormatUint(uint64(mem.Size()), 10)+" bytes)")
	}
	return nil
}

// view returns the n guest bytes at ptr without copying. The slice is valid only until the
// guest runs again and must not be retained.
func view(mem Memory, ptr, n uint64) ([]byte, error) {
	if err := checkRange(mem, ptr, n); err != nil {
		return nil, err
	}
	b, ok := mem.Read(uint32(ptr), uint32(n))
	if !ok || uint64(len(b)) != n {
		return nil, checkRangeFailed(ptr, n)
	}
	return b, nil
}

// viewRequest is view for a request body: a length above limit is E2BIG, decided before the
// range is even looked at.
func viewRequest(mem Memory, ptr, n, limit uint64) ([]byte, error) {
	if n > limit {
		return nil, fail(E2BIG, "request of "+strconv.FormatUint(n, 10)+
			" bytes is larger than the request limit ("+strconv.FormatUint(limit, 10)+" bytes)")
	}
	return view(mem, ptr, n)
}

// write copies b to the guest at ptr.
func write(mem Memory, ptr uint64, b []byte) error {
	if err := checkRange(mem, ptr, uint64(len(b))); err != nil {
		return err
	}
	if !mem.Write(uint32(ptr), b) {
		return checkRangeFailed(ptr, uint64(len(b)))
	}
	return nil
}

func writeU32(mem Memory, ptr uint64, v uint32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return write(mem, ptr, b[:])
}

func writeU64(mem Memory, ptr uint64, v uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return write(mem, ptr, b[:])
}

// checkRangeFailed is the error for an engine that refused a range hostcalls had accepted: the
// memory shrank or the engine disagrees about its size. The guest still sees EFAULT.
func checkRangeFailed(ptr, n uint64) error {
	return fail(EFAULT, "engine refused memory range ["+strconv.FormatUint(ptr, 10)+", +"+
		strconv.FormatUint(n, 10)+")")
}
