package hostcalls

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/limits"
)

// sliceMemory is a Memory backed by a byte slice. It records any request outside the slice,
// which hostcalls must never make.
type sliceMemory struct {
	b        []byte
	outOfBox bool
}

func newMemory(size int) *sliceMemory { return &sliceMemory{b: make([]byte, size)} }

func (m *sliceMemory) Read(off, n uint32) ([]byte, bool) {
	end := uint64(off) + uint64(n)
	if end > uint64(len(m.b)) {
		m.outOfBox = true
		return nil, false
	}
	return m.b[off:end], true
}

func (m *sliceMemory) Write(off uint32, b []byte) bool {
	end := uint64(off) + uint64(len(b))
	if end > uint64(len(m.b)) {
		m.outOfBox = true
		return false
	}
	copy(m.b[off:end], b)
	return true
}

func (m *sliceMemory) Size() uint32 { return uint32(len(m.b)) }

// testCore is a deterministic LLM core. It answers "echo: " plus the last message and streams
// the message's words. The last message selects special behaviour:
//
//	"block"   waits until the gate is closed or ctx is done
//	"fail"    fails like a broken backend
//	"nomodel" fails with llm.ErrNoModel
type testCore struct {
	gate     chan struct{}
	mu       sync.Mutex
	canceled int           // generations that ended by ctx
	requests []llm.Request // every request, in order
}

func (c *testCore) Name() string     { return "test" }
func (c *testCore) Models() []string { return nil }

func (c *testCore) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	c.mu.Lock()
	c.requests = append(c.requests, req)
	c.mu.Unlock()
	last := req.Messages[len(req.Messages)-1].Content
	switch last {
	case "fail":
		return llm.Response{}, errors.New("backend down")
	case "nomodel":
		return llm.Response{}, fmt.Errorf("model x: %w", llm.ErrNoModel)
	case "block":
		select {
		case <-c.gate:
		case <-ctx.Done():
			c.mu.Lock()
			c.canceled++
			c.mu.Unlock()
			return llm.Response{}, ctx.Err()
		}
	}
	words := strings.Fields(last)
	if onChunk != nil {
		for _, w := range words {
			onChunk(llm.Chunk{Text: w + " "})
		}
	}
	return llm.Response{Text: "echo: " + last, FinishReason: "stop", Model: "test-model",
		Usage: llm.Usage{InputTokens: len(words), OutputTokens: len(words) + 1}}, nil
}

func (c *testCore) lastRequest() llm.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.requests) == 0 {
		return llm.Request{}
	}
	return c.requests[len(c.requests)-1]
}

func (c *testCore) canceledCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.canceled
}

// env is one guest under test: a real kernel with the test core, a process and 64 KiB memory.
type env struct {
	t    testing.TB
	core *testCore
	proc *kernel.Process
	g    *Guest
	mem  *sliceMemory

	mu     sync.Mutex
	events []kernel.Event
}

type envConfig struct {
	// cores go before the test core in the kernel's router, so a request they serve (or any
	// request, if one serves any model) reaches them first.
	cores  []llm.Core
	lim    limits.Limits
	spec   kernel.Spec
	kopts  []kernel.Option
	memLen int
}

func newEnv(t testing.TB, configure ...func(*envConfig)) *env {
	t.Helper()
	cfg := envConfig{spec: kernel.Spec{Name: "agent"}, memLen: 64 << 10}
	for _, f := range configure {
		f(&cfg)
	}
	e := &env{t: t, core: &testCore{gate: make(chan struct{})}, mem: newMemory(cfg.memLen)}
	k := kernel.New(append(kernel.Cores(cfg.cores), e.core), cfg.kopts...)
	spec := cfg.spec
	spec.Events = func(ev kernel.Event) {
		e.mu.Lock()
		e.events = append(e.events, ev)
		e.mu.Unlock()
	}
	p, err := k.Spawn(spec)
	if err != nil {
		t.Fatalf("spawn: %v", err)
	}
	e.proc = p
	e.g = NewGuest(p, cfg.lim)
	t.Cleanup(e.g.Close)
	return e
}

// call invokes module.name with args and returns stack[0]; a trap fails the test.
func (e *env) call(module, name string, args ...uint64) uint64 {
	e.t.Helper()
	r, err := e.callCtx(context.Background(), module, name, args...)
	if err != nil {
		e.t.Fatalf("%s.%s trapped: %v", module, name, err)
	}
	return r
}

func (e *env) callCtx(ctx context.Context, module, name string, args ...uint64) (uint64, error) {
	e.t.Helper()
	f, ok := Lookup(module, name)
	if !ok {
		e.t.Fatalf("no system call %s.%s", module, name)
	}
	if len(args) != len(f.Params) {
		e.t.Fatalf("%s.%s takes %d params, test passed %d", module, name, len(f.Params), len(args))
	}
	stack := make([]uint64, max(len(args), len(f.Results), 1))
	copy(stack, args)
	err := f.Handler(ctx, e.g, e.mem, stack)
	if e.mem.outOfBox {
		e.t.Fatalf("%s.%s asked the engine for memory outside the guest", module, name)
	}
	return stack[0], err
}

// aios calls an aios function and returns its errno.
func (e *env) aios(name string, args ...uint64) Errno {
	e.t.Helper()
	return Errno(e.call(ModuleAIOS, name, args...))
}

// wasi calls a WASI function and returns its errno.
func (e *env) wasi(name string, args ...uint64) wasiErrno {
	e.t.Helper()
	return wasiErrno(e.call(ModuleWASI, name, args...))
}

// put copies b into guest memory at ptr and returns (ptr, len) as call arguments.
func (e *env) put(ptr uint32, b []byte) (uint64, uint64) {
	copy(e.mem.b[ptr:], b)
	return uint64(ptr), uint64(len(b))
}

func (e *env) u32(ptr uint32) uint32 { return binary.LittleEndian.Uint32(e.mem.b[ptr:]) }
func (e *env) u64(ptr uint32) uint64 { return binary.LittleEndian.Uint64(e.mem.b[ptr:]) }

// Memory regions used by the tests.
const (
	reqAt  = 0x0100 // request bodies
	outAt  = 0x4000 // result structs and other out values
	bufAt  = 0x8000 // result_read buffers
	bufLen = 0x4000
)

// takeResult reads the result whose struct is at out and checks result_read succeeds.
func (e *env) takeResult(out uint32) []byte {
	e.t.Helper()
	rid, n := e.u32(out), e.u32(out+4)
	if code := e.aios("result_read", uint64(rid), bufAt, bufLen); code != OK {
		e.t.Fatalf("result_read(%d): %v", rid, code)
	}
	return append([]byte(nil), e.mem.b[bufAt:bufAt+n]...)
}

// generateBody is a GenerateRequest with one user message.
func generateBody(content string, stream bool) []byte {
	b, _ := json.Marshal(llm.Request{Messages: []llm.Message{{Role: "user", Content: content}}, Stream: stream})
	return b
}

// lastErr returns the decoded last_error body.
func (e *env) lastErr() abiError {
	e.t.Helper()
	if code := e.aios("last_error", outAt); code != OK {
		e.t.Fatalf("last_error: %v", code)
	}
	var le abiError
	if err := json.Unmarshal(e.takeResult(outAt), &le); err != nil {
		e.t.Fatalf("decode last_error: %v", err)
	}
	return le
}

func (e *env) logLines() []kernel.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []kernel.Event
	for _, ev := range e.events {
		if ev.Kind == kernel.EventLog {
			out = append(out, ev)
		}
	}
	return out
}

func (e *env) tokens() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var sb strings.Builder
	for _, ev := range e.events {
		if ev.Kind == kernel.EventToken {
			sb.WriteString(ev.Text)
		}
	}
	return sb.String()
}
