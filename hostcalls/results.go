package hostcalls

import (
	"context"
	"encoding/binary"
	"fmt"
)

// MaxResults is the most unread results an agent may hold (docs/ABI.md section 2).
const MaxResults = 64

// resultSize is the size of the result struct { u32 rid; u32 len; } written at an out pointer.
const resultSize = 8

// prepareResult checks, before a call does any work, that its result struct fits at out and
// that the result table has room for one more result.
func (g *Guest) prepareResult(mem Memory, out uint64) error {
	if err := checkRange(mem, out, resultSize); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.roomLocked()
}

func (g *Guest) roomLocked() error {
	if len(g.results) >= MaxResults {
		return fail(ELIMIT, fmt.Sprintf("%d results are unread; read or drop one first", MaxResults))
	}
	return nil
}

// deliver stores body as a new result and writes its result struct at out.
func (g *Guest) deliver(mem Memory, out uint64, body []byte) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.deliverLocked(mem, out, body)
}

// deliverLocked is deliver with g.mu held. On any failure nothing is stored.
func (g *Guest) deliverLocked(mem Memory, out uint64, body []byte) error {
	if uint64(len(body)) > g.lim.Response {
		return fail(E2BIG, fmt.Sprintf("result of %d bytes is larger than the response limit (%d bytes)", len(body), g.lim.Response))
	}
	if err := g.roomLocked(); err != nil {
		return err
	}
	rid := g.freeRIDLocked()
	var rs [resultSize]byte
	binary.LittleEndian.PutUint32(rs[0:], rid)
	binary.LittleEndian.PutUint32(rs[4:], uint32(len(body)))
	if err := write(mem, out, rs[:]); err != nil {
		return err
	}
	g.storeAtLocked(rid, body)
	return nil
}

// storeLocked stores body as a new result and returns its id; g.mu must be held. The response
// limit is the caller's to check.
func (g *Guest) storeLocked(body []byte) (uint32, error) {
	if err := g.roomLocked(); err != nil {
		return 0, err
	}
	rid := g.freeRIDLocked()
	g.storeAtLocked(rid, body)
	return rid, nil
}

// freeRIDLocked returns the next result id not in use.
func (g *Guest) freeRIDLocked() uint32 {
	rid := g.nextRID + 1
	for rid == 0 || g.results[rid] != nil {
		rid++
	}
	return rid
}

// storeAtLocked stores body as result rid, and tells a journaled call being recorded of it.
func (g *Guest) storeAtLocked(rid uint32, body []byte) {
	if body == nil {
		body = []byte{}
	}
	g.results[rid] = body
	g.nextRID = rid
	if g.capture != nil {
		g.capture.Delivered = append(g.capture.Delivered, Delivered{RID: rid, Body: body})
	}
}

// resultRead implements result_read(rid, buf_ptr, buf_len).
func resultRead(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	rid, ptr, n := uint32(p[0]), p[1], p[2]
	g.mu.Lock()
	defer g.mu.Unlock()
	body, ok := g.results[rid]
	if !ok {
		return fail(EBADF, fmt.Sprintf("result %d does not exist", rid))
	}
	if n < uint64(len(body)) {
		return fail(ERANGE, fmt.Sprintf("buffer of %d bytes is smaller than result %d (%d bytes)", n, rid, len(body)))
	}
	if err := checkRange(mem, ptr, n); err != nil {
		return err
	}
	if err := write(mem, ptr, body); err != nil {
		return err
	}
	delete(g.results, rid)
	return nil
}

// resultDrop implements result_drop(rid).
func resultDrop(_ context.Context, g *Guest, _ Memory, p []uint64) error {
	rid := uint32(p[0])
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.results[rid]; !ok {
		return fail(EBADF, fmt.Sprintf("result %d does not exist", rid))
	}
	delete(g.results, rid)
	return nil
}
