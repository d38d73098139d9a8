package hostcalls

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"
)

// wait implements wait(handles_ptr, count, timeout_ns, index_out).
func wait(ctx context.Context, g *Guest, mem Memory, p []uint64) error {
	ptr, count, timeout, indexOut := p[0], uint64(uint32(p[1])), int64(p[2]), p[3]
	if count == 0 {
		return fail(EINVAL, "wait needs at least one handle")
	}
	if err := checkRange(mem, indexOut, 4); err != nil {
		return err
	}
	raw, err := viewRequest(mem, ptr, count*4, g.lim.Request)
	if err != nil {
		return err
	}
	ids := make([]uint32, count)
	for i := range ids {
		ids[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	i, err := g.waitAny(ctx, ids, timeout)
	if err != nil {
		return err
	}
	return writeU32(mem, indexOut, uint32(i))
}

// waitAny returns the index of the first of ids that is finished or has a chunk ready,
// blocking up to timeout nanoseconds (negative: no deadline; zero: just check).
func (g *Guest) waitAny(ctx context.Context, ids []uint32, timeout int64) (int, error) {
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout))
		defer t.Stop()
		deadline = t.C
	}
	var unblock func()
	defer func() {
		if unblock != nil {
			unblock()
		}
	}()
	for {
		i, changed, err := g.firstReady(ids)
		if err != nil || i >= 0 {
			return i, err
		}
		if timeout == 0 {
			return -1, fail(ETIMEDOUT, "no handle is ready")
		}
		if unblock == nil {
			unblock = g.block()
		}
		select {
		case <-changed:
		case <-deadline:
			return -1, fail(ETIMEDOUT, fmt.Sprintf("no handle became ready within %v", time.Duration(timeout)))
		case <-ctx.Done():
			return -1, fmt.Errorf("wait: %w", ctx.Err())
		case <-g.ctx.Done():
			return -1, fail(ECANCELED, "the agent is shutting down")
		}
	}
}

// firstReady returns the index of the first ready handle of ids, or -1 and a channel that is
// closed at the next change.
func (g *Guest) firstReady(ids []uint32) (int, <-chan struct{}, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, id := range ids {
		h, err := g.handleLocked(id)
		if err != nil {
			return -1, nil, err
		}
		if h.ready() {
			return i, nil, nil
		}
	}
	return -1, g.changed, nil
}
