package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/kernel/sched"
)

// progress is a generation's text so far, across the pieces it ran in.
type progress struct {
	text   strings.Builder
	chunks int // chunks streamed so far: about one token each
}

func (g *progress) add(c llm.Chunk) {
	g.text.WriteString(c.Text)
	g.chunks++
}

// textReserve is the room a generation's text is given at first, so that a short answer is
// kept in one allocation and a long one in few.
const textReserve = 256

// stream is where a generation's chunks go, across its pieces: into its progress, the core's
// throughput and the caller's onChunk, the first chunk of each piece starting its slice. One
// per generation, so that its pieces allocate no function of their own.
type stream struct {
	d       *Dispatcher
	onChunk func(llm.Chunk)
	g       progress
	s       *slot  // the slot of the piece running
	started bool   // whether the piece has streamed its first chunk
	pending int    // chunks of the piece not yet counted in the core's throughput
	first   waiter // the first piece's waiter, allocated with the stream
}

// streamBatch is how many streamed chunks are counted in a core's throughput at once (with
// one reading of the clock); the rest of a piece's are counted when it ends.
const streamBatch = 8

// piece points st at the piece about to run in s.
func (st *stream) piece(s *slot) { st.s, st.started, st.pending = s, false, 0 }

func (st *stream) chunk(c llm.Chunk) {
	if !st.started {
		st.started = true
		st.d.startSlice(st.s)
	}
	st.g.add(c)
	if st.pending++; st.pending == streamBatch {
		st.s.c.tput.add(st.d.opts.Now(), st.pending)
		st.pending = 0
	}
	if st.onChunk != nil {
		st.onChunk(c)
	}
}

// run runs the request in pieces until it is complete, fails for good, or ctx ends. A piece
// preempted at its slice end, or cut short by a retryable failure after streaming some text,
// is followed by a continuation, so the caller never sees text twice. Only failures count as
// attempts; a preemption does not. It adds the time spent waiting for cores and the failures
// before success to rc.
func (d *Dispatcher) run(ctx context.Context, caller Caller, req llm.Request, r route, tokens int, onChunk func(llm.Chunk), rc *Receipt) (llm.Response, quota.Cost, error) {
	var (
		st       = &stream{d: d, onChunk: onChunk}
		chunk    = st.chunk
		g        = &st.g
		avoid    *core // the core that failed last
		retrying *core // the core whose failure the next piece retries; nil after a preemption
		last     *core // the core that ran the last piece
		failures int
	)
	g.text.Grow(textReserve)
	for {
		prior, priorChunks := g.text.String(), g.chunks
		try, done := continuation(req, prior, priorChunks)
		if done {
			return d.truncated(req, r, last, g)
		}
		w := &st.first
		if last != nil {
			w = new(waiter) // a later piece: the slot of an earlier one may still be referred to
		}
		*w = waiter{route: r, tokens: tokens, avoid: avoid}
		w.job = sched.Job{Agent: caller.Agent, Tenant: caller.Tenant, Priority: caller.Priority, Estimate: tokens, Value: w}
		job := &w.job
		queued := d.opts.Now()
		s, placed, err := d.acquire(ctx, job, queued)
		rc.QueueWait += placed.Sub(queued)
		if err != nil {
			return llm.Response{}, 0, fmt.Errorf("generate: waiting for a core: %w", err)
		}
		if retrying != nil && s.c != retrying {
			notify(ctx, Notice{Kind: NoticeFailover, Core: retrying.name, To: s.c.name})
		}
		retrying = nil
		if prior != "" {
			d.overhead.resumes.Add(1)
		}
		try.Model = r.modelFor(s.c)
		st.piece(s)
		resp, ended, err := d.attempt(ctx, s, try, placed, chunk)
		streamed := g.chunks - priorChunks
		used := usedTokens(resp.Usage)
		if errors.Is(err, errPreempted) {
			used = quota.Add(d.opts.EstimateInput(try), streamed)
		}
		d.finish(ctx, s, used, err, ended)
		s.c.tput.add(ended, st.pending)    // the output streamed since the last batch
		s.c.tput.add(ended, used-streamed) // the input; the output was counted as it streamed
		last = s.c
		if err == nil {
			rc.Retries = failures
			return d.complete(resp, prior, priorChunks, s.c)
		}
		if streamed > 0 {
			// The backend read this piece's prompt for text that the next piece reads again.
			d.overhead.tokens.Add(int64(d.opts.EstimateInput(try)))
		}
		if ctx.Err() != nil {
			return llm.Response{}, 0, fmt.Errorf("generate on core %s: %w", s.c.name, ctx.Err())
		}
		if errors.Is(err, errPreempted) {
			continue
		}
		failures++
		retry, after := d.opts.Retryable(err)
		if !retry || failures >= d.opts.MaxAttempts {
			return llm.Response{}, 0, fmt.Errorf("%w: core %s, attempt %d of %d: %w", ErrBackend, s.c.name, failures, d.opts.MaxAttempts, err)
		}
		avoid, retrying = s.c, s.c
		wait := d.backoff(failures, after)
		notify(ctx, Notice{Kind: NoticeRetry, Core: s.c.name, Attempt: failures, MaxAttempts: d.opts.MaxAttempts,
			Wait: wait, Reason: oneLine(err)})
		if err := sleep(ctx, wait); err != nil {
			return llm.Response{}, 0, fmt.Errorf("generate: waiting to retry: %w", err)
		}
	}
}
