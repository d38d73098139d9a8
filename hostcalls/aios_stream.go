package hostcalls

import (
	"context"
	"fmt"
)

// streamNext implements stream_next(handle, out): blocks until the next chunk of a streaming
// call and delivers it as a result; EEOF once the call has finished and every chunk was read.
func streamNext(ctx context.Context, g *Guest, mem Memory, p []uint64) error {
	id, out := uint32(p[0]), p[1]
	if err := g.prepareResult(mem, out); err != nil {
		return err
	}
	var unblock func()
	defer func() {
		if unblock != nil {
			unblock()
		}
	}()
	for {
		changed, err := g.nextChunk(mem, id, out)
		if changed == nil {
			return err
		}
		if unblock == nil {
			unblock = g.block()
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("stream_next: %w", ctx.Err())
		case <-g.ctx.Done():
			return fail(ECANCELED, "the agent is shutting down")
		}
	}
}

// nextChunk delivers the handle's next chunk, or reports EEOF, or, when neither is possible
// yet, returns a channel closed at the next change.
func (g *Guest) nextChunk(mem Memory, id uint32, out uint64) (<-chan struct{}, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h, err := g.handleLocked(id)
	if err != nil {
		return nil, err
	}
	if !h.stream {
		return nil, fail(EINVAL, fmt.Sprintf("handle %d was not submitted with \"stream\": true", id))
	}
	if len(h.chunks) > 0 {
		if err := g.deliverLocked(mem, out, h.chunks[0]); err != nil {
			return nil, err
		}
		h.queued -= uint64(len(h.chunks[0]))
		h.chunks[0] = nil
		h.chunks = h.chunks[1:]
		return nil, nil
	}
	if h.done {
		return nil, fail(EEOF, fmt.Sprintf("handle %d has no more chunks", id))
	}
	return g.changed, nil
}
