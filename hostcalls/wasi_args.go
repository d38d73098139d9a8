package hostcalls

import (
	"context"
	"math"
)

func wasiArgCalls() []Func {
	return []Func{
		wasiFunc("args_get", params(I32, I32), func(_ context.Context, g *Guest, mem Memory, p []uint64) error {
			return putStrings(mem, g.args, p[0], p[1])
		}),
		wasiFunc("args_sizes_get", params(I32, I32), func(_ context.Context, g *Guest, mem Memory, p []uint64) error {
			return putSizes(mem, g.args, p[0], p[1])
		}),
		wasiFunc("environ_get", params(I32, I32), func(_ context.Context, g *Guest, mem Memory, p []uint64) error {
			return putStrings(mem, g.proc.Env(), p[0], p[1])
		}),
		wasiFunc("environ_sizes_get", params(I32, I32), func(_ context.Context, g *Guest, mem Memory, p []uint64) error {
			return putSizes(mem, g.proc.Env(), p[0], p[1])
		}),
	}
}

// stringsSize is the bytes ss take as NUL-terminated strings.
func stringsSize(ss []string) uint64 {
	var n uint64
	for _, s := range ss {
		n += uint64(len(s)) + 1
	}
	return n
}

// putSizes writes the count of ss at countPtr and their NUL-terminated size at sizePtr.
func putSizes(mem Memory, ss []string, countPtr, sizePtr uint64) error {
	size := stringsSize(ss)
	if size > math.MaxUint32 {
		return wasiE2BIG
	}
	if err := checkRange(mem, countPtr, 4); err != nil {
		return err
	}
	if err := checkRange(mem, sizePtr, 4); err != nil {
		return err
	}
	if err := writeU32(mem, countPtr, uint32(len(ss))); err != nil {
		return err
	}
	return writeU32(mem, sizePtr, uint32(size))
}

// putStrings writes ss as NUL-terminated strings from bufPtr and a pointer to each at ptrsPtr,
// the layout of args_get and environ_get. Both ranges are checked before anything is written.
func putStrings(mem Memory, ss []string, ptrsPtr, bufPtr uint64) error {
	size := stringsSize(ss)
	if err := checkRange(mem, ptrsPtr, 4*uint64(len(ss))); err != nil {
		return err
	}
	if err := checkRange(mem, bufPtr, size); err != nil {
		return err
	}
	at := bufPtr
	for i, s := range ss {
		if err := writeU32(mem, ptrsPtr+4*uint64(i), uint32(at)); err != nil {
			return err
		}
		if err := write(mem, at, append([]byte(s), 0)); err != nil {
			return err
		}
		at += uint64(len(s)) + 1
	}
	return nil
}
