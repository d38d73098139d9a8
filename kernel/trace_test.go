package kernel_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
)

// tracedCall is one call a callRecorder saw, with how it ended.
type tracedCall struct {
	call  string
	ended bool
	end   kernel.CallEnd
}

// callRecorder is a kernel.CallTracer that keeps every call, for tests.
type callRecorder struct {
	mu    sync.Mutex
	calls []*tracedCall
}

func (r *callRecorder) StartCall(call string) kernel.CallSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := &tracedCall{call: call}
	r.calls = append(r.calls, c)
	return &recordedSpan{r: r, c: c}
}

type recordedSpan struct {
	r *callRecorder
	c *tracedCall
}

func (s *recordedSpan) End(e kernel.CallEnd) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if s.c.ended {
		panic("span of " + s.c.call + " ended twice")
	}
	s.c.ended, s.c.end = true, e
}

func (r *callRecorder) seen() []tracedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]tracedCall, len(r.calls))
	for i, c := range r.calls {
		out[i] = *c
	}
	return out
}

func TestTracerSeesEveryGatedCallEnd(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, "")
	rec := &callRecorder{}
	p, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: writer, Trace: rec, Input: []byte("in")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got := string(p.Input()); got != "in" {
		t.Fatalf("input %q", got)
	}
	if _, err := p.Generate(ctx, llm.Request{Model: "small", Messages: user("hi")}, nil); err != nil {
		t.Fatalf("granted class: %v", err)
	}
	if _, err := p.Generate(ctx, llm.Request{Model: "large", Messages: user("hi")}, nil); !errors.Is(err, kernel.ErrDenied) {
		t.Fatalf("undeclared class: %v, want a denial", err)
	}
	if _, err := p.Generate(ctx, llm.Request{}, nil); !errors.Is(err, kernel.ErrInvalid) {
		t.Fatalf("no messages: %v", err)
	}
	if err := p.Output([]byte("out")); err != nil {
		t.Fatal(err)
	}
	p.Log(1, "line")
	if _, err := p.StorageGet(ctx, "k", 0); !errors.Is(err, kernel.ErrNoManager) {
		t.Fatalf("storage without a store: %v", err)
	}

	got := rec.seen()
	names := []string{"start", "input", "llm_generate", "llm_generate", "output", "log"}
	if len(got) != len(names) {
		t.Fatalf("traced %+v, want the calls %q (an invalid request and a call with no manager are not decided)", got, names)
	}
	for i, c := range got {
		if c.call != names[i] || !c.ended {
			t.Errorf("call %d: %s ended %v, want %s ended", i, c.call, c.ended, names[i])
		}
	}
	if g := got[2].end; g.Err != nil || g.Generation == nil || g.Generation.Core != "rec" || g.Generation.Model != "small" ||
		g.Generation.InputTokens != 1 || g.Generation.OutputTokens != 1 {
		t.Errorf("allowed generation ended %+v (%+v), want core rec, model small, 1 and 1 tokens", g, g.Generation)
	}
	var denied *kernel.DeniedError
	if e := got[3].end; !errors.As(e.Err, &denied) || denied.Reason == "" || e.Generation != nil {
		t.Errorf("denied generation ended %+v, want a *DeniedError with its reason and no generation", e)
	}
	for _, i := range []int{0, 1, 4, 5} {
		if got[i].end.Err != nil {
			t.Errorf("%s ended with %v", got[i].call, got[i].end.Err)
		}
	}
}

func TestTracerSeesARefusedStart(t *testing.T) {
	g := newGated(t, smallOnly, kernel.GateConfig{}, "package aios.policy\ndeny contains \"closed\" if input.call == \"start\"\n")
	rec := &callRecorder{}
	if _, err := g.k.Spawn(kernel.Spec{Name: "writer", Agent: writer, Trace: rec}); !errors.Is(err, kernel.ErrDenied) {
		t.Fatalf("spawn: %v, want a denial", err)
	}
	got := rec.seen()
	if len(got) != 1 || got[0].call != "start" || !got[0].ended || !errors.Is(got[0].end.Err, kernel.ErrDenied) {
		t.Fatalf("traced %+v, want one start ended with its denial", got)
	}
}
