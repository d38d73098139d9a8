package hostcalls

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/limits"
)

const (
	callAt    = 0x0080 // the submitted call's name
	handlesAt = 0x3000 // wait's handle array
)

// submit submits llm_generate with one user message and returns the handle.
func (e *env) submit(content string, stream bool) uint32 {
	e.t.Helper()
	cp, cn := e.put(callAt, []byte("llm_generate"))
	rp, rn := e.put(reqAt, generateBody(content, stream))
	if got := e.aios("submit", cp, cn, rp, rn, outAt); got != OK {
		e.t.Fatalf("submit(%q) = %v", content, got)
	}
	return e.u32(outAt)
}

// wait calls wait on handles and returns its errno and the index it wrote.
func (e *env) waitOn(timeout time.Duration, handles ...uint32) (Errno, uint32) {
	e.t.Helper()
	for i, h := range handles {
		binary.LittleEndian.PutUint32(e.mem.b[handlesAt+4*i:], h)
	}
	code := e.aios("wait", handlesAt, uint64(len(handles)), uint64(int64(timeout)), outAt)
	return code, e.u32(outAt)
}

func TestSubmitPollLifecycle(t *testing.T) {
	e := newEnv(t)
	h := e.submit("block", false)
	if got := e.aios("poll", uint64(h), outAt); got != EAGAIN {
		t.Fatalf("poll while running = %v, want EAGAIN", got)
	}
	if got, _ := e.waitOn(0, h); got != ETIMEDOUT {
		t.Fatalf("wait(timeout 0) on a running call = %v, want ETIMEDOUT", got)
	}
	if got, _ := e.waitOn(10*time.Millisecond, h); got != ETIMEDOUT {
		t.Fatalf("wait(10ms) on a running call = %v, want ETIMEDOUT", got)
	}
	close(e.core.gate)
	if got, idx := e.waitOn(-1, h); got != OK || idx != 0 {
		t.Fatalf("wait = %v, index %d", got, idx)
	}
	if got := e.aios("poll", uint64(h), outAt); got != OK {
		t.Fatalf("poll after finish = %v", got)
	}
	var resp llm.Response
	if err := json.Unmarshal(e.takeResult(outAt), &resp); err != nil || resp.Text != "echo: block" {
		t.Fatalf("response = %+v, %v", resp, err)
	}
	if got := e.aios("poll", uint64(h), outAt); got != EBADF {
		t.Fatalf("poll of a released handle = %v, want EBADF", got)
	}
	if le := e.lastErr(); le.Call != "poll" || le.Code != EBADF {
		t.Fatalf("last_error = %+v (EAGAIN must not be recorded, EBADF must)", le)
	}
}

func TestSubmitErrors(t *testing.T) {
	e := newEnv(t)
	cp, cn := e.put(callAt, []byte("agent_fork"))
	rp, rn := e.put(reqAt, generateBody("x", false))
	if got := e.aios("submit", cp, cn, rp, rn, outAt); got != ENOSYS {
		t.Fatalf("submit of an unknown call = %v, want ENOSYS", got)
	}
	cp, cn = e.put(callAt, []byte("llm_generate"))
	bp, bn := e.put(reqAt, []byte(`{"messages": 3}`))
	if got := e.aios("submit", cp, cn, bp, bn, outAt); got != EINVAL {
		t.Fatalf("submit of a malformed request = %v, want EINVAL", got)
	}
	if got := e.aios("submit", cp, 1<<20, rp, rn, outAt); got != E2BIG {
		t.Fatalf("submit with a 1 MiB call name = %v, want E2BIG", got)
	}
}

func TestPollReportsTheCallsError(t *testing.T) {
	e := newEnv(t)
	h := e.submit("fail", false)
	if got, _ := e.waitOn(-1, h); got != OK {
		t.Fatalf("wait = %v", got)
	}
	if got := e.aios("poll", uint64(h), outAt); got != EBACKEND {
		t.Fatalf("poll of a failed call = %v, want EBACKEND", got)
	}
	if got := e.aios("poll", uint64(h), outAt); got != EBADF {
		t.Fatalf("a failed call's handle was not released: poll = %v", got)
	}
}

func TestInFlightLimit(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.lim = limits.Limits{InFlight: 2} })
	e.submit("block", false)
	h2 := e.submit("block", false)
	cp, cn := e.put(callAt, []byte("llm_generate"))
	rp, rn := e.put(reqAt, generateBody("block", false))
	if got := e.aios("submit", cp, cn, rp, rn, outAt); got != ELIMIT {
		t.Fatalf("third submit under InFlight 2 = %v, want ELIMIT", got)
	}
	e.aios("cancel", uint64(h2))
	e.waitOn(-1, h2)
	if got := e.aios("poll", uint64(h2), outAt); got != ECANCELED {
		t.Fatalf("poll of a cancelled call = %v, want ECANCELED", got)
	}
	if got := e.aios("submit", cp, cn, rp, rn, outAt); got != OK {
		t.Fatalf("submit after a handle was released = %v", got)
	}
}

func TestWaitAny(t *testing.T) {
	e := newEnv(t)
	slow := e.submit("block", false)
	fast := e.submit("quick", false)
	if got, idx := e.waitOn(-1, slow, fast); got != OK || idx != 1 {
		t.Fatalf("wait(slow, fast) = %v, index %d; want OK, 1", got, idx)
	}
	if got, idx := e.waitOn(0, slow, fast); got != OK || idx != 1 {
		t.Fatalf("wait does not release: second wait = %v, index %d", got, idx)
	}
	if got, _ := e.waitOn(-1, slow, 999); got != EBADF {
		t.Fatalf("wait with an unknown handle = %v, want EBADF", got)
	}
	if got := e.aios("wait", handlesAt, 0, 0, outAt); got != EINVAL {
		t.Fatalf("wait on no handles = %v, want EINVAL", got)
	}
}

func TestWaitEndsWhenContextIsCancelled(t *testing.T) {
	e := newEnv(t)
	h := e.submit("block", false)
	binary.LittleEndian.PutUint32(e.mem.b[handlesAt:], h)
	// The 10ms start when wait first selects on the context, after it marked the guest
	// blocked; a timer started here could fire before a loaded machine even runs the call.
	ctx := cancelAfterFirstWait(10 * time.Millisecond)
	got, err := e.callCtx(ctx, ModuleAIOS, "wait", handlesAt, 1, uint64(1<<63-1), outAt)
	if err != nil || Errno(got) != ECANCELED {
		t.Fatalf("wait under a cancelled context = %v, %v; want ECANCELED", Errno(got), err)
	}
	if e.g.BlockedTime() < 10*time.Millisecond {
		t.Fatalf("BlockedTime = %v after a 10ms wait", e.g.BlockedTime())
	}
}

// cancelAfterFirstWait returns a context cancelled d after the first call of its Done method,
// that is, d after a blocking call starts waiting on it.
func cancelAfterFirstWait(d time.Duration) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	return &armOnDone{Context: ctx, arm: sync.OnceFunc(func() { time.AfterFunc(d, cancel) })}
}

type armOnDone struct {
	context.Context
	arm func()
}

func (c *armOnDone) Done() <-chan struct{} {
	c.arm()
	return c.Context.Done()
}

func TestCancel(t *testing.T) {
	e := newEnv(t)
	if got := e.aios("cancel", 5); got != EBADF {
		t.Fatalf("cancel of an unknown handle = %v, want EBADF", got)
	}
	h := e.submit("block", false)
	if got := e.aios("cancel", uint64(h)); got != OK {
		t.Fatalf("cancel = %v", got)
	}
	if got, _ := e.waitOn(-1, h); got != OK {
		t.Fatalf("wait after cancel = %v", got)
	}
	if got := e.aios("poll", uint64(h), outAt); got != ECANCELED {
		t.Fatalf("poll after cancel = %v, want ECANCELED", got)
	}
	done := e.submit("quick", false)
	e.waitOn(-1, done)
	e.aios("cancel", uint64(done))
	if got := e.aios("poll", uint64(done), outAt); got != OK {
		t.Fatalf("poll of a call cancelled after it finished = %v, want its result", got)
	}
}

func TestPollKeepsTheHandleWhenResultsAreFull(t *testing.T) {
	e := newEnv(t)
	h := e.submit("quick", false)
	e.waitOn(-1, h)
	for range MaxResults {
		e.aios("input", outAt)
	}
	if got := e.aios("poll", uint64(h), outAt); got != ELIMIT {
		t.Fatalf("poll with a full result table = %v, want ELIMIT", got)
	}
	e.aios("result_drop", uint64(e.u32(outAt)))
	if got := e.aios("poll", uint64(h), outAt); got != OK {
		t.Fatalf("poll after making room = %v", got)
	}
}

func TestStreamNext(t *testing.T) {
	e := newEnv(t)
	h := e.submit("alpha beta gamma", true)
	for _, want := range []string{"alpha ", "beta ", "gamma "} {
		if got := e.aios("stream_next", uint64(h), outAt); got != OK {
			t.Fatalf("stream_next = %v", got)
		}
		var c llm.Chunk
		if err := json.Unmarshal(e.takeResult(outAt), &c); err != nil || c.Text != want {
			t.Fatalf("chunk = %+v, %v; want %q", c, err, want)
		}
	}
	if got := e.aios("stream_next", uint64(h), outAt); got != EEOF {
		t.Fatalf("stream_next after the last chunk = %v, want EEOF", got)
	}
	if got := e.aios("poll", uint64(h), outAt); got != OK {
		t.Fatalf("poll after EEOF = %v", got)
	}
	plain := e.submit("x", false)
	if got := e.aios("stream_next", uint64(plain), outAt); got != EINVAL {
		t.Fatalf("stream_next on a non-streaming handle = %v, want EINVAL", got)
	}
	if got := e.aios("stream_next", 4242, outAt); got != EBADF {
		t.Fatalf("stream_next on an unknown handle = %v, want EBADF", got)
	}
}

func TestWaitWakesOnStreamChunk(t *testing.T) {
	e := newEnv(t)
	slow := e.submit("block", false)
	streaming := e.submit("a b", true)
	if got, idx := e.waitOn(time.Second, slow, streaming); got != OK || idx != 1 {
		t.Fatalf("wait = %v, index %d; want the streaming handle", got, idx)
	}
}

func TestStreamChunksPastResponseLimitStopTheCall(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.lim = limits.Limits{Response: 40} })
	h := e.submit("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10", true)
	// A guest that reads while the call streams frees room for later chunks, so how many
	// chunks fit would depend on scheduling. Reading only after the call has finished leaves
	// every chunk unread until then: 2 chunks of 15 bytes fit in 40, the third stops the call.
	e.waitFinished(h)
	chunks := 0
	for e.aios("stream_next", uint64(h), outAt) == OK {
		e.takeResult(outAt)
		chunks++
	}
	if chunks != 2 {
		t.Fatalf("read %d chunks, want the 2 that fit in 40 bytes", chunks)
	}
	if got := e.aios("poll", uint64(h), outAt); got != ELIMIT {
		t.Fatalf("poll of an overflowed stream = %v, want ELIMIT", got)
	}
}

// waitFinished blocks until the call behind handle id has finished, without taking its
// chunks or result from the guest.
func (e *env) waitFinished(id uint32) {
	e.t.Helper()
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for {
		e.g.mu.Lock()
		h, ok := e.g.handles[id]
		done, changed := ok && h.done, e.g.changed
		e.g.mu.Unlock()
		if !ok {
			e.t.Fatalf("handle %d does not exist", id)
		}
		if done {
			return
		}
		select {
		case <-changed:
		case <-timeout.C:
			e.t.Fatalf("handle %d did not finish within 10s", id)
		}
	}
}

func TestCloseCancelsInFlightCalls(t *testing.T) {
	e := newEnv(t)
	for range 3 {
		e.submit("block", false)
	}
	done := make(chan struct{})
	go func() {
		e.g.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not return")
	}
	if got := e.core.canceledCount(); got != 3 {
		t.Fatalf("%d generations saw cancellation, want 3", got)
	}
	cp, cn := e.put(callAt, []byte("llm_generate"))
	rp, rn := e.put(reqAt, generateBody("x", false))
	if got := e.aios("submit", cp, cn, rp, rn, outAt); got != ECANCELED {
		t.Fatalf("submit after Close = %v, want ECANCELED", got)
	}
	e.g.Close()
}

func TestErrnoOf(t *testing.T) {
	tests := []struct {
		err  error
		want Errno
	}{
		{nil, OK},
		{context.Canceled, ECANCELED},
		{context.DeadlineExceeded, ETIMEDOUT},
		{errors.Join(errors.New("ctx"), llm.ErrNoModel), ENOENT},
		{errors.New("socket closed"), EBACKEND},
		{fail(EQUOTA, "budget"), EQUOTA},
		{fmt.Errorf("generate: %w", kernel.ErrInvalid), EINVAL},
		{fmt.Errorf("output: %w", kernel.ErrOutputLimit), ELIMIT},
		{fmt.Errorf("admit: %w", &quota.ExhaustedError{}), EQUOTA},
		{fmt.Errorf("core x: %w", &llm.StatusError{Status: 400}), EINVAL},
	}
	for _, tt := range tests {
		if got := ErrnoOf(tt.err); got != tt.want {
			t.Errorf("ErrnoOf(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	if EINTERNAL.String() != "EINTERNAL" || Errno(99).String() != "E99" {
		t.Errorf("names: %s, %s", EINTERNAL, Errno(99))
	}
}
