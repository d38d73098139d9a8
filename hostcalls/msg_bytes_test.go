package hostcalls

import (
	"bytes"
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/policy/audit"
)

// mirrorSpawner runs each child as a Go function that sends its parent its input, if any, and
// then answers every message with the same body until it is ended; "once.wasm" ends after
// sending its input.
type mirrorSpawner struct{ wg sync.WaitGroup }

func (s *mirrorSpawner) StartChild(ctx context.Context, parent *kernel.Process, module string, req kernel.SpawnRequest, spec kernel.Spec) (*kernel.Process, error) {
	p, err := parent.Kernel().Spawn(spec)
	if err != nil {
		return nil, err
	}
	s.wg.Go(func() {
		if len(req.Input) > 0 {
			_ = p.SendMessage(ctx, parent.PID(), req.Input)
		}
		if module == "once.wasm" {
			p.End(0, nil)
			return
		}
		for {
			m, err := p.RecvMessage(ctx, -1)
			if err != nil {
				p.End(0, nil)
				return
			}
			_ = p.SendMessage(ctx, m.From, m.Body)
		}
	})
	return p, nil
}

// recordingGate decides every call as allowed and keeps what it decided and what it audited.
type recordingGate struct {
	mu      sync.Mutex
	decided []policy.Input
	audited []audit.Entry
}

func (r *recordingGate) Decide(_ context.Context, in policy.Input) (policy.Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.decided = append(r.decided, in)
	return policy.Decision{Allow: true, Reason: "test"}, nil
}

func (r *recordingGate) Record(_ context.Context, e audit.Entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.audited = append(r.audited, e)
	return nil
}

// msgInfo reads the struct msg_recv_bytes wrote at ptr.
func (e *env) msgInfo(ptr uint32) (from uint64, n, rid uint32) {
	return e.u64(ptr), e.u32(ptr + 8), e.u32(ptr + 12)
}

const waitNS = uint64(time.Minute) // a hang guard, not a bound

// TestMsgBytes: msg_send_bytes and msg_recv_bytes (ABI 1.4) carry raw bytes both ways; a
// body longer than the buffer is kept as a result; every call is decided by policy and
// audited as msg_send or msg_recv.
func TestMsgBytes(t *testing.T) {
	sp := &mirrorSpawner{}
	gate := &recordingGate{}
	g, err := kernel.NewGate(kernel.GateConfig{Policy: gate, Audit: gate})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withSpawner(sp, kernel.AgentLimits{Message: 32}), func(c *envConfig) { c.kopts = append(c.kopts, kernel.WithGate(g)) })
	t.Cleanup(func() { e.proc.End(0, nil); sp.wg.Wait() })
	pid := uint64(e.must("agent_spawn", map[string]any{"module": "mirror.wasm", "input": []byte("hello")})["pid"].(float64))

	if code := e.aios("msg_recv_bytes", waitNS, bufAt, 16, outAt); code != OK {
		t.Fatalf("msg_recv_bytes: %v", code)
	}
	if from, n, rid := e.msgInfo(outAt); from != pid || n != 5 || rid != 0 || string(e.mem.b[bufAt:bufAt+5]) != "hello" {
		t.Fatalf("msg_recv_bytes: from %d, %d bytes, rid %d, %q; want hello from %d", from, n, rid, e.mem.b[bufAt:bufAt+5], pid)
	}

	body := []byte("\x00binary \xff body\n")
	bp, bn := e.put(reqAt, body)
	if code := e.aios("msg_send_bytes", pid, bp, bn); code != OK {
		t.Fatalf("msg_send_bytes: %v", code)
	}
	clear(e.mem.b[bufAt : bufAt+64])
	if code := e.aios("msg_recv_bytes", waitNS, bufAt, 4, outAt); code != OK { // too small a buffer
		t.Fatalf("msg_recv_bytes into 4 bytes: %v", code)
	}
	from, n, rid := e.msgInfo(outAt)
	if from != pid || n != uint32(len(body)) || rid == 0 || !bytes.Equal(e.mem.b[bufAt:bufAt+4], make([]byte, 4)) {
		t.Fatalf("msg_recv_bytes into 4 bytes: from %d, %d bytes, rid %d, buffer %q", from, n, rid, e.mem.b[bufAt:bufAt+4])
	}
	if code := e.aios("result_read", uint64(rid), bufAt+64, 64); code != OK || !bytes.Equal(e.mem.b[bufAt+64:bufAt+64+len(body)], body) {
		t.Fatalf("result_read of the kept body: %v, %q", code, e.mem.b[bufAt+64:bufAt+64+len(body)])
	}

	if code := e.aios("msg_send_bytes", pid, 0, 0); code != OK { // an empty body
		t.Fatalf("msg_send_bytes of nothing: %v", code)
	}
	if code := e.aios("msg_recv_bytes", waitNS, 0, 0, outAt); code != OK {
		t.Fatalf("msg_recv_bytes of nothing: %v", code)
	}
	if from, n, rid := e.msgInfo(outAt); from != pid || n != 0 || rid != 0 {
		t.Fatalf("empty message: from %d, %d bytes, rid %d", from, n, rid)
	}

	gate.mu.Lock()
	defer gate.mu.Unlock()
	var calls []string
	for _, in := range gate.decided {
		if in.Agent.Name != "agent" || !strings.HasPrefix(in.Call, "msg_") {
			continue // the child's calls, the start and the spawn
		}
		rel, _ := in.Args["relation"].(string)
		calls = append(calls, in.Call+":"+rel)
	}
	want := "msg_recv: msg_send:child msg_recv: msg_send:child msg_recv:"
	if got := strings.Join(calls, " "); got != want {
		t.Errorf("decided %q, want %q", got, want)
	}
	if len(gate.audited) != len(gate.decided) {
		t.Errorf("%d calls audited, %d decided", len(gate.audited), len(gate.decided))
	}
	for i, a := range gate.audited {
		if in := gate.decided[i]; a.Call != in.Call || a.Agent != in.Agent.Name {
			t.Errorf("audit record %d is %s by %s, decision %s by %s", i, a.Call, a.Agent, in.Call, in.Agent.Name)
		}
	}
}

// TestMsgBytesBadInput: bad pointers, huge lengths, a pid that is not one and a full result
// table are refused with their codes, and a refused msg_recv_bytes takes no message.
func TestMsgBytesBadInput(t *testing.T) {
	sp := &mirrorSpawner{}
	e := newEnv(t, withSpawner(sp, kernel.AgentLimits{Message: 16}))
	t.Cleanup(func() { e.proc.End(0, nil); sp.wg.Wait() })
	pid := uint64(e.must("agent_spawn", map[string]any{"module": "mirror.wasm"})["pid"].(float64))
	size := uint64(len(e.mem.b))

	for _, c := range []struct {
		name     string
		to, p, n uint64
		want     Errno
	}{
		{"to 0", 0, reqAt, 1, EINVAL},
		{"negative to", uint64(math.MaxUint64), reqAt, 1, EINVAL},
		{"unknown pid", 999, reqAt, 1, ENOENT},
		{"body past the message bound", pid, reqAt, 17, E2BIG},
		{"body past the request limit", pid, reqAt, math.MaxUint32, E2BIG},
		{"body outside memory", pid, size - 2, 4, EFAULT},
		{"body pointer past 4 GiB", pid, 1 << 33, 1, EFAULT},
	} {
		if code := e.aios("msg_send_bytes", c.to, c.p, c.n); code != c.want {
			t.Errorf("msg_send_bytes %s = %v, want %v", c.name, code, c.want)
		}
	}
	if le := e.lastErr(); le.Call != "msg_send_bytes" {
		t.Errorf("last_error names %q, want msg_send_bytes", le.Call)
	}

	// A message waits while the calls below are refused.
	once := e.must("agent_spawn", map[string]any{"module": "once.wasm", "input": []byte("kept")})["pid"]
	e.must("agent_wait", map[string]any{"pid": once})
	for _, c := range []struct {
		name         string
		buf, n, info uint64
		want         Errno
	}{
		{"info outside memory", bufAt, 16, size - 8, EFAULT},
		{"info past 4 GiB", bufAt, 16, 1 << 32, EFAULT},
		{"buffer outside memory", size - 2, 4, outAt, EFAULT},
		{"huge buffer", bufAt, math.MaxUint32, outAt, EFAULT},
		{"buffer length past 4 GiB", bufAt, 1 << 40, outAt, EFAULT},
	} {
		if code := e.aios("msg_recv_bytes", waitNS, c.buf, c.n, c.info); code != c.want {
			t.Errorf("msg_recv_bytes %s = %v, want %v", c.name, code, c.want)
		}
	}
	// A full result table: the body might not fit, so the call needs room for one.
	for range MaxResults {
		if code := e.aios("input", outAt+32); code != OK {
			t.Fatalf("input: %v", code)
		}
	}
	if code := e.aios("msg_recv_bytes", waitNS, bufAt, 16, outAt); code != ELIMIT {
		t.Errorf("msg_recv_bytes with %d results unread = %v, want ELIMIT", MaxResults, code)
	}
	for rid := range uint64(MaxResults) + 1 {
		e.aios("result_drop", rid)
	}
	if code := e.aios("msg_recv_bytes", waitNS, bufAt, 16, outAt); code != OK {
		t.Fatalf("msg_recv_bytes after the refusals: %v", code)
	}
	if from, n, _ := e.msgInfo(outAt); from != uint64(once.(float64)) || string(e.mem.b[bufAt:bufAt+n]) != "kept" {
		t.Errorf("the message after the refusals: from %d, %q; want kept from %v", from, e.mem.b[bufAt:bufAt+n], once)
	}
	if code := e.aios("msg_recv_bytes", 0, bufAt, 16, outAt); code != EAGAIN {
		t.Errorf("msg_recv_bytes with timeout 0 on an empty mailbox = %v, want EAGAIN", code)
	}
	if code := e.aios("msg_recv_bytes", uint64(5*time.Millisecond), bufAt, 16, outAt); code != ETIMEDOUT {
		t.Errorf("msg_recv_bytes past its timeout = %v, want ETIMEDOUT", code)
	}
}

// TestMsgBytesReplay: a run's msg_recv_bytes calls are journaled, and a replay observes the
// same messages from the journal, both the body copied into the buffer and the one kept as a
// result, without a child to send them.
func TestMsgBytesReplay(t *testing.T) {
	script := func(e *env) []byte {
		once := e.must("agent_spawn", map[string]any{"module": "once.wasm", "input": []byte("a journaled message")})["pid"]
		e.must("agent_wait", map[string]any{"pid": once})
		once = e.must("agent_spawn", map[string]any{"module": "once.wasm", "input": []byte("short")})["pid"]
		e.must("agent_wait", map[string]any{"pid": once})
		var seen []byte
		for range 2 {
			code := e.aios("msg_recv_bytes", waitNS, bufAt, 8, outAt)
			from, n, rid := e.msgInfo(outAt)
			seen = append(seen, byte(code), byte(from), byte(n))
			if rid != 0 {
				e.aios("result_read", uint64(rid), bufAt+64, 64)
				seen = append(seen, e.observe(bufAt+64, n)...)
			} else {
				seen = append(seen, e.observe(bufAt, n)...)
			}
		}
		return append(seen, byte(e.aios("msg_recv_bytes", 0, bufAt, 8, outAt)))
	}
	sp := &mirrorSpawner{}
	live := newEnv(t, withSpawner(sp, kernel.AgentLimits{}))
	t.Cleanup(sp.wg.Wait)
	j := &memJournal{}
	live.g.SetJournal(j)
	want := script(live)
	if !bytes.Contains(want, []byte("a journaled message")) || !bytes.Contains(want, []byte("short")) {
		t.Fatalf("live run observed %q", want)
	}
	var senders []kernel.PID
	for _, c := range j.recorded {
		if from, ok := c.ReceivedFrom(); ok {
			senders = append(senders, from)
		}
	}
	if len(senders) != 2 || senders[0] == senders[1] || senders[0] <= 0 {
		t.Errorf("ReceivedFrom over the journal: %v, want the two children", senders)
	}
	replay := newEnv(t)
	rj := &memJournal{replay: j.recorded, strict: true}
	replay.g.SetJournal(rj)
	if got := script(replay); !bytes.Equal(got, want) {
		t.Errorf("replay observed %q, the run observed %q", got, want)
	}
	if rj.next != len(j.recorded) {
		t.Errorf("replay used %d of %d journaled calls", rj.next, len(j.recorded))
	}
}

// TestSentMessage: a replayed msg_send or msg_send_bytes names its recipient and body from the
// guest's memory; a record that cannot be read back names nothing.
func TestSentMessage(t *testing.T) {
	e := newEnv(t)
	bp, bn := e.put(reqAt, []byte("ping"))
	jp, jn := e.put(reqAt+64, []byte(`{"to":5,"body":"cGluZw=="}`))
	for _, c := range []struct {
		call   Call
		to     kernel.PID
		body   string
		wantOK bool
	}{
		{Call{Name: "msg_send_bytes", Params: []uint64{5, bp, bn}}, 5, "ping", true},
		{Call{Name: "msg_send", Params: []uint64{jp, jn, outAt}}, 5, "ping", true},
		{Call{Name: "msg_send_bytes", Params: []uint64{0, bp, bn}}, 0, "", false},
		{Call{Name: "msg_send_bytes", Params: []uint64{math.MaxUint64, bp, bn}}, 0, "", false},
		{Call{Name: "msg_send_bytes", Params: []uint64{5, 1 << 32, bn}}, 0, "", false},
		{Call{Name: "msg_send_bytes", Params: []uint64{5, uint64(len(e.mem.b)) - 2, 4}}, 0, "", false},
		{Call{Name: "msg_send_bytes", Params: []uint64{5}}, 0, "", false},
		{Call{Name: "msg_send", Params: []uint64{bp, bn, outAt}}, 0, "", false},
		{Call{Name: "msg_recv_bytes", Params: []uint64{5, bp, bn, outAt}}, 0, "", false},
	} {
		to, body, ok := sentMessage(&c.call, e.mem)
		if ok != c.wantOK || to != c.to || string(body) != c.body {
			t.Errorf("sentMessage(%s %v) = %d, %q, %v; want %d, %q, %v", c.call.Name, c.call.Params, to, body, ok, c.to, c.body, c.wantOK)
		}
	}
}
