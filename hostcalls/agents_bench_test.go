package hostcalls

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
)

// pongSpawner runs each child as a guest in Go that answers every message with the same body
// through the host functions themselves (msg_recv, result_read, msg_send, result_read), as a
// wasm agent would, minus the wasm.
type pongSpawner struct{ done chan struct{} }

func (s *pongSpawner) StartChild(ctx context.Context, parent *kernel.Process, _ string, _ kernel.SpawnRequest, spec kernel.Spec) (*kernel.Process, error) {
	p, err := parent.Kernel().Spawn(spec)
	if err != nil {
		return nil, err
	}
	go func() {
		defer close(s.done)
		g := NewGuest(p, limits.Limits{})
		mem := newMemory(64 << 10)
		for {
			m, ok := hostRound(ctx, g, mem, "msg_recv", []byte(`{}`))
			if !ok {
				break
			}
			var from uint64
			fmt.Sscanf(string(m), `{"from":%d,`, &from)
			if _, ok := hostRound(ctx, g, mem, "msg_send", fmt.Appendf(nil, `{"to":%d,"body":"cGluZw=="}`, from)); !ok {
				break
			}
		}
		g.Close()
		p.End(0, nil)
	}()
	return p, nil
}

// hostRound makes one (req_ptr, req_len, out) call and reads its result, as an SDK does.
func hostRound(ctx context.Context, g *Guest, mem *sliceMemory, call string, body []byte) ([]byte, bool) {
	f, _ := Lookup(ModuleAIOS, call)
	copy(mem.b[reqAt:], body)
	stack := []uint64{reqAt, uint64(len(body)), outAt}
	if err := f.Handler(ctx, g, mem, stack); err != nil || Errno(stack[0]) != OK {
		return nil, false
	}
	rid, n := binary.LittleEndian.Uint32(mem.b[outAt:]), binary.LittleEndian.Uint32(mem.b[outAt+4:])
	rr, _ := Lookup(ModuleAIOS, "result_read")
	stack = []uint64{uint64(rid), bufAt, uint64(n)}
	if err := rr.Handler(ctx, g, mem, stack); err != nil || Errno(stack[0]) != OK {
		return nil, false
	}
	return mem.b[bufAt : bufAt+n], true
}

// BenchmarkMsgRoundTripHost measures a message round trip between two agents through the host
// functions (JSON bodies, result table, kernel mailboxes), without wasm and without a policy
// gate: the host's share of BenchmarkMsgRoundTrip in the root package.
func BenchmarkMsgRoundTripHost(b *testing.B) {
	sp := &pongSpawner{done: make(chan struct{})}
	e := newEnv(b, withSpawner(sp, kernel.AgentLimits{}))
	started := e.must("agent_spawn", map[string]any{"module": "pong.wasm"})
	send := fmt.Appendf(nil, `{"to":%d,"body":"cGluZw=="}`, int(started["pid"].(float64)))
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if _, ok := hostRound(ctx, e.g, e.mem, "msg_send", send); !ok {
			b.Fatal("msg_send failed")
		}
		if _, ok := hostRound(ctx, e.g, e.mem, "msg_recv", []byte(`{}`)); !ok {
			b.Fatal("msg_recv failed")
		}
	}
	b.StopTimer()
	e.proc.End(0, nil)
	<-sp.done
}

// bytesPongSpawner is pongSpawner over ABI 1.4's msg_recv_bytes and msg_send_bytes.
type bytesPongSpawner struct{ done chan struct{} }

func (s *bytesPongSpawner) StartChild(ctx context.Context, parent *kernel.Process, _ string, _ kernel.SpawnRequest, spec kernel.Spec) (*kernel.Process, error) {
	p, err := parent.Kernel().Spawn(spec)
	if err != nil {
		return nil, err
	}
	go func() {
		defer close(s.done)
		g := NewGuest(p, limits.Limits{})
		mem := newMemory(64 << 10)
		for hostBytesCall(ctx, g, mem, "msg_recv_bytes", ^uint64(0), bufAt, bufLen, outAt) &&
			hostBytesCall(ctx, g, mem, "msg_send_bytes", binary.LittleEndian.Uint64(mem.b[outAt:]), bufAt, uint64(binary.LittleEndian.Uint32(mem.b[outAt+8:]))) {
		}
		g.Close()
		p.End(0, nil)
	}()
	return p, nil
}

// hostBytesCall makes one call with params p and reports whether it succeeded.
func hostBytesCall(ctx context.Context, g *Guest, mem *sliceMemory, call string, p ...uint64) bool {
	f, _ := Lookup(ModuleAIOS, call)
	return f.Handler(ctx, g, mem, p) == nil && Errno(p[0]) == OK
}

// BenchmarkMsgRoundTripHostBytes is BenchmarkMsgRoundTripHost over ABI 1.4's msg_send_bytes and
// msg_recv_bytes: two host calls per round trip and agent, no JSON.
func BenchmarkMsgRoundTripHostBytes(b *testing.B) {
	sp := &bytesPongSpawner{done: make(chan struct{})}
	e := newEnv(b, withSpawner(sp, kernel.AgentLimits{}))
	pid := uint64(e.must("agent_spawn", map[string]any{"module": "pong.wasm"})["pid"].(float64))
	ctx := context.Background()
	copy(e.mem.b[reqAt:], "ping")
	b.ResetTimer()
	for range b.N {
		if !hostBytesCall(ctx, e.g, e.mem, "msg_send_bytes", pid, reqAt, 4) {
			b.Fatal("msg_send_bytes failed")
		}
		if !hostBytesCall(ctx, e.g, e.mem, "msg_recv_bytes", ^uint64(0), bufAt, bufLen, outAt) {
			b.Fatal("msg_recv_bytes failed")
		}
	}
	b.StopTimer()
	e.proc.End(0, nil)
	<-sp.done
}
