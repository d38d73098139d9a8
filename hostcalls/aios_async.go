package hostcalls

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/writekey"
)

// maxCallName bounds the call name submit reads; the longest call name is far shorter.
const maxCallName = 64

// submit implements submit(call_ptr, call_len, req_ptr, req_len, handle_out).
func submit(ctx context.Context, g *Guest, mem Memory, p []uint64) error {
	handleOut := p[4]
	if err := checkRange(mem, handleOut, 4); err != nil {
		return err
	}
	name, err := viewRequest(mem, p[0], p[1], maxCallName)
	if err != nil {
		return err
	}
	var key *writekey.Key // a durable run's, for a store write (journal_writekey.go)
	if k, ok := writekey.From(ctx); ok {
		wk := k // declared here, so that a call without a key allocates nothing for it
		key = &wk
	}
	run, stream, err := g.asyncCall(mem, string(name), p[2], p[3], key)
	if err != nil {
		return err
	}
	id, err := g.startCall(stream, run)
	if err != nil {
		return err
	}
	if err := writeU32(mem, handleOut, id); err != nil {
		g.abandon(id)
		return err
	}
	return nil
}

// asyncCall reads the request of the call named name and returns how to run it and whether it
// streams. The calls that can be submitted are llm_generate, (ABI 1.1) llm_embed and (ABI 1.2)
// every memory, storage and tool call. A store write runs with key, its write key; nil for none.
func (g *Guest) asyncCall(mem Memory, name string, ptr, n uint64, key *writekey.Key) (callFunc, bool, error) {
	switch name {
	case "llm_generate":
		req, err := readGenerateRequest(g, mem, ptr, n)
		if err != nil {
			return nil, false, err
		}
		return func(ctx context.Context, onChunk func(llm.Chunk)) ([]byte, error) {
			return g.generate(ctx, req, onChunk)
		}, req.Stream, nil
	case "llm_embed":
		req, err := readEmbedRequest(g, mem, ptr, n)
		if err != nil {
			return nil, false, err
		}
		return func(ctx context.Context, _ func(llm.Chunk)) ([]byte, error) {
			return g.embed(ctx, req)
		}, false, nil
	}
	if run, ok := managerCalls[name]; ok {
		view, err := viewRequest(mem, ptr, n, g.lim.Request)
		if err != nil {
			return nil, false, err
		}
		body := bytes.Clone(view)
		return func(ctx context.Context, _ func(llm.Chunk)) ([]byte, error) {
			return g.runManager(withSubmittedSpawn(withWriteKey(ctx, name, key), name, key), run, body)
		}, false, nil
	}
	return nil, false, fail(ENOSYS, fmt.Sprintf("call %s cannot be submitted; see docs/ABI.md section 4", quote(name)))
}

// abandon stops and forgets a handle the guest never learned about. Its goroutine still ends
// under the Guest's WaitGroup.
func (g *Guest) abandon(id uint32) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if h, ok := g.handles[id]; ok {
		h.cancel()
		delete(g.handles, id)
	}
}

// poll implements poll(handle, out): EAGAIN while the call runs; then the call's own errno,
// releasing the handle. When the result table is full the handle is kept (ELIMIT) so the
// result is not lost.
func poll(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	id, out := uint32(p[0]), p[1]
	if err := checkRange(mem, out, resultSize); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	h, err := g.handleLocked(id)
	if err != nil {
		return err
	}
	if !h.done {
		return fail(EAGAIN, fmt.Sprintf("handle %d is still running", id))
	}
	if h.err != nil {
		delete(g.handles, id)
		return h.err
	}
	if err := g.deliverLocked(mem, out, h.body); err != nil {
		return err // the handle stays, so the guest can poll again after making room
	}
	delete(g.handles, id)
	return nil
}

// cancel implements cancel(handle).
func cancel(_ context.Context, g *Guest, _ Memory, p []uint64) error {
	return g.cancelHandle(uint32(p[0]))
}

func (g *Guest) cancelHandle(id uint32) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	h, err := g.handleLocked(id)
	if err != nil {
		return err
	}
	if !h.done {
		h.canceled = true
		h.cancel()
	}
	return nil
}

func (g *Guest) handleLocked(id uint32) (*handle, error) {
	h, ok := g.handles[id]
	if !ok {
		return nil, fail(EBADF, fmt.Sprintf("handle %d does not exist", id))
	}
	return h, nil
}
