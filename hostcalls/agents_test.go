package hostcalls

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel"
)

// echoSpawner runs each child as a Go function that sends its input to its parent, writes it
// reversed as its output and ends; "stuck.wasm" waits until it is killed.
type echoSpawner struct{ wg sync.WaitGroup }

func (s *echoSpawner) StartChild(ctx context.Context, parent *kernel.Process, module string, req kernel.SpawnRequest, spec kernel.Spec) (*kernel.Process, error) {
	if module == "missing.wasm" {
		return nil, kernel.ErrNoAgent
	}
	p, err := parent.Kernel().Spawn(spec)
	if err != nil {
		return nil, err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if module == "stuck.wasm" {
			<-ctx.Done()
			p.End(-1, ctx.Err())
			return
		}
		_ = p.SendMessage(ctx, parent.PID(), req.Input)
		b := []byte(string(req.Input))
		for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
		_ = p.Output(b)
		p.End(0, nil)
	}()
	return p, nil
}

func withSpawner(s kernel.Spawner, lim kernel.AgentLimits) func(*envConfig) {
	return func(c *envConfig) { c.kopts = append(c.kopts, kernel.WithAgents(s, lim)) }
}

func TestAgentCalls(t *testing.T) {
	sp := &echoSpawner{}
	e := newEnv(t, withSpawner(sp, kernel.AgentLimits{Message: 16}))
	t.Cleanup(sp.wg.Wait)
	started := e.must("agent_spawn", map[string]any{"module": "kids/echo.wasm", "input": []byte("ping")})
	pid := started["pid"].(float64)
	if started["name"] != "echo" || pid <= 0 {
		t.Fatalf("agent_spawn = %v", started)
	}
	m := e.must("msg_recv", map[string]any{"timeout_ms": 60000})
	if m["from"] != pid || m["body"] != "cGluZw==" {
		t.Errorf("msg_recv = %v, want ping from %v", m, pid)
	}
	w := e.must("agent_wait", map[string]any{"pid": pid})
	if w["status"] != "exited" || w["exit_code"] != 0.0 || w["output"] != "Z25pcA==" || w["output_bytes"] != 4.0 || w["module"] != "kids/echo.wasm" {
		t.Errorf("agent_wait = %v", w)
	}
	stuck := e.must("agent_spawn", map[string]any{"module": "stuck.wasm"})["pid"]
	if code, _ := e.do("agent_wait", map[string]any{"pid": stuck, "timeout_ms": 0}); code != EAGAIN {
		t.Errorf("agent_wait with timeout 0 on a running child = %v, want EAGAIN", code)
	}
	if code, _ := e.do("agent_wait", map[string]any{"pid": stuck, "timeout_ms": 5}); code != ETIMEDOUT {
		t.Errorf("agent_wait past its timeout = %v, want ETIMEDOUT", code)
	}
	if code, _ := e.do("msg_send", map[string]any{"to": stuck, "body": []byte(strings.Repeat("x", 17))}); code != E2BIG {
		t.Errorf("a 17-byte message past a 16-byte bound = %v, want E2BIG", code)
	}
	e.must("msg_send", map[string]any{"to": stuck, "body": []byte("hi")})
	e.must("agent_kill", map[string]any{"pid": stuck})
	if w := e.must("agent_wait", map[string]any{"pid": stuck}); w["status"] != "killed" {
		t.Errorf("killed child = %v", w)
	}
	for call, body := range map[string]map[string]any{
		"agent_spawn": {"module": ""}, "agent_wait": {"pid": -1}, "agent_kill": {"pid": 0}, "msg_send": {"to": "x"},
	} {
		if code, _ := e.do(call, body); code != EINVAL {
			t.Errorf("%s %v = %v, want EINVAL", call, body, code)
		}
	}
	for call, body := range map[string]map[string]any{
		"agent_spawn": {"module": "missing.wasm"}, "agent_wait": {"pid": 999}, "agent_kill": {"pid": 999}, "msg_send": {"to": 999},
	} {
		if code, _ := e.do(call, body); code != ENOENT {
			t.Errorf("%s %v = %v, want ENOENT", call, body, code)
		}
	}
	if code, _ := e.do("msg_recv", map[string]any{"timeout_ms": 0}); code != EAGAIN {
		t.Errorf("msg_recv on an empty mailbox = %v, want EAGAIN", code)
	}
	if code, _ := e.do("agent_spawn", map[string]any{"module": "a.wasm", "budget": map[string]any{"tokens": -1}}); code != EINVAL {
		t.Errorf("a negative budget = %v, want EINVAL", code)
	}
}

func TestAgentCallsCanBeSubmitted(t *testing.T) {
	sp := &echoSpawner{}
	e := newEnv(t, withSpawner(sp, kernel.AgentLimits{}))
	t.Cleanup(sp.wg.Wait)
	cp, cn := e.put(callAt, []byte("msg_recv"))
	rp, rn := e.put(reqAt, []byte(`{}`))
	if code := e.aios("submit", cp, cn, rp, rn, outAt); code != OK {
		t.Fatalf("submit msg_recv: %v", code)
	}
	h := e.u32(outAt)
	e.must("agent_spawn", map[string]any{"module": "echo.wasm", "input": []byte("async")})
	idx := uint64(outAt + 64)
	hp, _ := e.put(outAt+32, []byte{byte(h), byte(h >> 8), byte(h >> 16), byte(h >> 24)})
	if code := e.aios("wait", hp, 1, ^uint64(0), idx); code != OK {
		t.Fatalf("wait: %v", code)
	}
	if code := e.aios("poll", uint64(h), outAt); code != OK {
		t.Fatalf("poll: %v", code)
	}
	var m map[string]any
	if err := json.Unmarshal(e.takeResult(outAt), &m); err != nil || m["body"] != "YXN5bmM=" {
		t.Fatalf("submitted msg_recv = %v, %v", m, err)
	}
	// A receive in flight is cancelled with its handle. (agent_spawn's request took reqAt: the
	// receive's request is put there again, or it would fail on its own, racing the cancel.)
	rp, rn = e.put(reqAt, []byte(`{}`))
	if code := e.aios("submit", cp, cn, rp, rn, outAt); code != OK {
		t.Fatalf("submit msg_recv: %v", code)
	}
	h = e.u32(outAt)
	if code := e.aios("cancel", uint64(h)); code != OK {
		t.Fatalf("cancel: %v", code)
	}
	hp, _ = e.put(outAt+32, []byte{byte(h), byte(h >> 8), byte(h >> 16), byte(h >> 24)})
	if code := e.aios("wait", hp, 1, ^uint64(0), idx); code != OK {
		t.Fatalf("wait: %v", code)
	}
	if code := e.aios("poll", uint64(h), outAt); code != ECANCELED {
		t.Fatalf("poll of a cancelled msg_recv = %v, want ECANCELED (%s)", code, e.takeResult(outAt))
	}
}

func TestAgentSpawnWithoutSpawner(t *testing.T) {
	e := newEnv(t)
	if code, _ := e.do("agent_spawn", map[string]any{"module": "a.wasm"}); code != ENOSYS {
		t.Errorf("agent_spawn on a host without a spawner = %v, want ENOSYS", code)
	}
}
