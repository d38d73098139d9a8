package hostcalls

import (
	"context"
	"encoding/binary"
	"math"
)

// fdWrite implements fd_write(fd, iovs, iovs_len, nwritten): fd 1 and 2 go to the agent's log
// a line at a time (stdout as info, stderr as warn). Every iovec is checked before any byte is
// taken.
func fdWrite(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	var w *lineWriter
	switch uint32(p[0]) {
	case 1:
		w = &g.stdout
	case 2:
		w = &g.stderr
	default:
		return wasiEBADF
	}
	iovs, n, nwrittenPtr := p[1], uint64(uint32(p[2])), p[3]
	if err := checkRange(mem, nwrittenPtr, 4); err != nil {
		return err
	}
	var total uint64
	err := eachIovec(mem, iovs, n, func(ptr, size uint64) error {
		if _, err := view(mem, ptr, size); err != nil {
			return err
		}
		total += size
		return nil
	})
	if err != nil {
		return err
	}
	if total > math.MaxUint32 {
		return wasiEINVAL
	}
	err = eachIovec(mem, iovs, n, func(ptr, size uint64) error {
		b, err := view(mem, ptr, size)
		if err != nil {
			return err
		}
		w.write(g.proc, b)
		return nil
	})
	if err != nil {
		return err
	}
	return writeU32(mem, nwrittenPtr, uint32(total))
}

// fdRead implements fd_read(fd, iovs, iovs_len, nread): fd 0 reads the run input from where
// the previous read stopped.
func fdRead(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	if uint32(p[0]) != 0 {
		return wasiEBADF
	}
	iovs, n, nreadPtr := p[1], uint64(uint32(p[2])), p[3]
	if err := checkRange(mem, nreadPtr, 4); err != nil {
		return err
	}
	err := eachIovec(mem, iovs, n, func(ptr, size uint64) error {
		return checkRange(mem, ptr, size)
	})
	if err != nil {
		return err
	}
	in := g.proc.Input()
	g.mu.Lock()
	defer g.mu.Unlock()
	var nread uint64
	err = eachIovec(mem, iovs, n, func(ptr, size uint64) error {
		rest := in[min(g.stdinOff, len(in)):]
		k := min(uint64(len(rest)), size)
		if err := write(mem, ptr, rest[:k]); err != nil {
			return err
		}
		g.stdinOff += int(k)
		nread += k
		return nil
	})
	if err != nil {
		return err
	}
	return writeU32(mem, nreadPtr, uint32(nread))
}

// stdinLeft is how many bytes of the run input fd_read has not yet returned.
func (g *Guest) stdinLeft() uint64 {
	n := len(g.proc.Input())
	g.mu.Lock()
	defer g.mu.Unlock()
	return uint64(max(n-g.stdinOff, 0))
}

// eachIovec calls fn with every iovec of the array at iovs, after checking the array's range.
func eachIovec(mem Memory, iovs, n uint64, fn func(ptr, size uint64) error) error {
	arr, err := view(mem, iovs, n*iovecSize)
	if err != nil {
		return err
	}
	for i := uint64(0); i < n; i++ {
		e := arr[i*iovecSize:]
		if err := fn(uint64(binary.LittleEndian.Uint32(e)), uint64(binary.LittleEndian.Uint32(e[4:]))); err != nil {
			return err
		}
	}
	return nil
}
