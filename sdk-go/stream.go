package aios

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// StreamCall is a generation whose text arrives in chunks as the model produces it. Range over
// Chunks to consume them, then call Result for the complete response. The host also shows the
// tokens in the agent's live log as they arrive.
//
// A StreamCall is not safe for concurrent use by several goroutines.
type StreamCall struct {
	ctx  context.Context
	call *Call
	end  bool // no more chunks will be read through Chunks
}

// Stream starts a streamed generation. ctx bounds every wait for a chunk and for the result:
// when its deadline passes, the generation is cancelled.
func Stream(ctx context.Context, req Request) (*StreamCall, error) { return std.stream(ctx, req) }

func (a *abi) stream(ctx context.Context, req Request) (*StreamCall, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("aios: submit: %w", err)
	}
	c, err := a.submit(req, true)
	if err != nil {
		return nil, err
	}
	return &StreamCall{ctx: ctx, call: c}, nil
}

// Chunks returns an iterator over the chunks not yet read. It stops after the last chunk, or
// yields one error and stops: the stream's own failure (Result reports the call's outcome) or
// ctx's, in which case the generation is cancelled. Breaking out of the loop early is allowed;
// Result then skips the rest.
func (s *StreamCall) Chunks() iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		for !s.end {
			if err := s.call.ready(s.ctx); err != nil {
				s.end = true
				_ = s.call.Cancel()
				yield(Chunk{}, err)
				return
			}
			c, err := s.call.nextChunk()
			if errors.Is(err, ErrEOF) {
				s.end = true
				return
			}
			if err != nil {
				s.end = true
				yield(Chunk{}, err)
				return
			}
			if !yield(c, nil) {
				return
			}
		}
	}
}

// Result skips any chunks not yet read, waits for the generation to finish and returns the
// complete response: its Text holds the whole generated text.
func (s *StreamCall) Result() (Response, error) {
	s.end = true
	return s.call.await(s.ctx)
}

// Cancel asks the host to stop the generation. Result then reports ErrCanceled, or the
// response if it had already finished.
func (s *StreamCall) Cancel() error { return s.call.Cancel() }

// nextChunk reads the call's next chunk with stream_next, blocking until there is one. It
// returns the bare ErrEOF after the last chunk.
func (o *op) nextChunk() (Chunk, error) {
	b, err := o.abi.doResult("stream_next", func(s syscalls, out *resultBuf) Errno {
		return s.streamNext(o.handle, out)
	}, ErrEOF)
	if err != nil {
		return Chunk{}, err
	}
	var ch Chunk
	if err := decodeBody("stream_next", b, &ch); err != nil {
		return Chunk{}, err
	}
	return ch, nil
}
