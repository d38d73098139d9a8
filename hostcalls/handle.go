package hostcalls

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aiosys/aios/kernel/llm"
)

// handle is one asynchronous call. Its fields other than cancel and stream are guarded by the
// owning Guest's mu.
//
// A handle counts against the in-flight limit from submit until poll releases it, finished or
// not, so the results a guest has not collected are bounded too.
type handle struct {
	cancel context.CancelFunc
	stream bool

	done     bool
	canceled bool     // the guest asked for cancellation before the call finished
	body     []byte   // the encoded result (GenerateResponse, EmbedResponse), when err is nil
	err      error    // the call's failure
	chunks   [][]byte // encoded Chunks not yet read by stream_next
	queued   uint64   // bytes in chunks
	overflow bool     // chunks went past the response limit; the call was stopped
}

// ready reports whether wait should return for h.
func (h *handle) ready() bool { return h.done || len(h.chunks) > 0 }

// callFunc runs one asynchronous call and returns its encoded result. onChunk is nil unless
// the call streams.
type callFunc func(ctx context.Context, onChunk func(llm.Chunk)) ([]byte, error)

// startCall registers a handle and runs the call on a goroutine the Guest owns until Close.
func (g *Guest) startCall(stream bool, run callFunc) (uint32, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return 0, fail(ECANCELED, "the agent is shutting down")
	}
	if len(g.handles) >= g.lim.InFlight {
		return 0, fail(ELIMIT, fmt.Sprintf("%d calls are in flight or unpolled (the limit)", len(g.handles)))
	}
	id := g.nextHandle + 1
	for id == 0 || g.handles[id] != nil {
		id++
	}
	g.nextHandle = id
	g.launchLocked(id, stream, run)
	return id, nil
}

// launchLocked registers handle id and runs its call on a goroutine. g.mu must be held.
func (g *Guest) launchLocked(id uint32, stream bool, run callFunc) {
	ctx, cancel := context.WithCancel(g.ctx)
	h := &handle{cancel: cancel, stream: stream}
	g.handles[id] = h
	g.wg.Add(1)
	go g.runCall(ctx, h, run)
}

func (g *Guest) runCall(ctx context.Context, h *handle, run callFunc) {
	defer g.wg.Done()
	defer h.cancel()
	var onChunk func(llm.Chunk)
	if h.stream {
		onChunk = func(c llm.Chunk) { g.pushChunk(h, c) }
	}
	body, err := run(ctx, onChunk)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case h.overflow:
		err = fail(ELIMIT, fmt.Sprintf("unread stream chunks went past the response limit (%d bytes); the call was stopped", g.lim.Response))
	case err != nil && h.canceled:
		err = failWrap(ECANCELED, "the call was cancelled", err)
	}
	if err != nil {
		body = nil
	}
	h.done, h.body, h.err = true, body, err
	g.signalLocked()
}

// pushChunk queues a streamed chunk for stream_next. Past the response limit of unread chunks
// the call is stopped rather than buffering without bound.
func (g *Guest) pushChunk(h *handle, c llm.Chunk) {
	b, _ := json.Marshal(c) // a struct of one string always encodes
	g.mu.Lock()
	defer g.mu.Unlock()
	if h.overflow {
		return
	}
	if h.queued+uint64(len(b)) > g.lim.Response {
		h.overflow = true
		h.cancel()
		return
	}
	h.chunks = append(h.chunks, b)
	h.queued += uint64(len(b))
	g.signalLocked()
}
