package aios

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func agentHost(t *testing.T) *fakeHost {
	h := newFakeHost()
	h.minor = 3
	useHost(t, h)
	return h
}

func TestSpawnWaitKill(t *testing.T) {
	h := agentHost(t)
	c, err := Spawn("workers/summarize.wasm", SpawnOptions{Input: []byte("text"), Budget: Budget{Tokens: 500},
		Limits: ChildLimits{WallTime: 1500 * time.Millisecond, Memory: 64 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	if c.PID == 0 || c.Name != "workers/summarize" {
		t.Errorf("child = %+v", c)
	}
	sent := h.lastSent("agent_spawn")
	if sent["module"] != "workers/summarize.wasm" || sent["input"] != "dGV4dA==" {
		t.Errorf("spawn request = %v, want the module and the input in base64", sent)
	}
	if b := sent["budget"].(map[string]any); b["tokens"] != 500.0 {
		t.Errorf("budget = %v", b)
	}
	if l := sent["limits"].(map[string]any); l["wall_time_ms"] != 1500.0 || l["memory"] != float64(64<<20) || l["log"] != nil {
		t.Errorf("limits = %v, want wall_time_ms and memory only", l)
	}
	if _, err := c.WaitFor(0); !errors.Is(err, ErrAgain) {
		t.Errorf("WaitFor(0) on a running child: %v, want ErrAgain", err)
	}
	r, err := c.Wait()
	if err != nil || r.Status != "exited" || string(r.Output) != "out of workers/summarize" {
		t.Fatalf("Wait = %+v %v", r, err)
	}
	if err := c.Kill(); err != nil {
		t.Errorf("Kill of an ended child: %v, want nil", err)
	}
	stranger := &Child{PID: 9}
	if err := stranger.Kill(); !errors.Is(err, ErrNotFound) {
		t.Errorf("Kill of a stranger: %v, want ErrNotFound", err)
	}
	h.checkClean(t)
}

func TestSpawnRefused(t *testing.T) {
	h := agentHost(t)
	h.agents13.denied = true
	_, err := Spawn("a.wasm", SpawnOptions{})
	var e *Error
	if !errors.Is(err, ErrPermission) || !errors.As(err, &e) || !strings.Contains(e.Message, "not granted") {
		t.Errorf("a denied spawn: %v, want ErrPermission with the policy's reason", err)
	}
	old := newFakeHost()
	old.minor = 2
	useHost(t, old)
	if _, err := Spawn("a.wasm", SpawnOptions{}); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Spawn on a 1.2 host: %v, want ErrNotSupported", err)
	}
	if err := Send(1, nil); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Send on a 1.2 host: %v, want ErrNotSupported", err)
	}
}

func TestSendRecv(t *testing.T) {
	h := agentHost(t)
	if err := Send(1, []byte("hello parent")); err != nil {
		t.Fatal(err)
	}
	if got := h.agents13.sentMail; len(got) != 1 || got[0].To != 1 || string(got[0].Body) != "hello parent" {
		t.Errorf("sent = %+v", got)
	}
	if err := Send(1, []byte(strings.Repeat("x", 17))); !errors.Is(err, ErrTooBig) {
		t.Errorf("a message past the bound: %v, want ErrTooBig", err)
	}
	if err := Send(42, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("to a stranger: %v, want ErrNotFound", err)
	}
	if _, err := Recv(0); !errors.Is(err, ErrAgain) {
		t.Errorf("Recv(0) on an empty mailbox: %v, want ErrAgain", err)
	}
	if _, err := Recv(time.Second); !errors.Is(err, ErrTimeout) {
		t.Errorf("Recv(1s) on an empty mailbox: %v, want ErrTimeout", err)
	}
	if got := h.lastSent("msg_recv"); got["timeout_ms"] != 1000.0 {
		t.Errorf("recv request = %v, want timeout_ms 1000", got)
	}
	h.agents13.mailbox = []Mail{{From: 7, Body: []byte("hi")}}
	m, err := Recv(-1)
	if err != nil || m.From != 7 || string(m.Body) != "hi" {
		t.Errorf("Recv = %+v %v", m, err)
	}
	if got := h.lastSent("msg_recv"); got["timeout_ms"] != nil {
		t.Errorf("Recv(-1) sent a timeout: %v", got)
	}
	h.checkClean(t)
}

// submitOnly hides the fake host's direct agent calls, as a platform without them would: the
// calls then go through submit.
type submitOnly struct{ syscalls }

func TestAgentCallsThroughSubmit(t *testing.T) {
	h := newFakeHost()
	h.minor = 3
	old := std
	std = newABI(submitOnly{h})
	t.Cleanup(func() { std = old })

	a, err := Spawn("a.wasm", SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Spawn("b.wasm", SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wa, err := a.StartWait()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.StartWait()
	if err != nil {
		t.Fatal(err)
	}
	h.agents13.mailbox = []Mail{{From: a.PID, Body: []byte("done")}}
	rm, err := StartRecv(-1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Pending[ChildResult]{wa, wb} {
		if r, err := p.Wait(); err != nil || r.Status != "exited" {
			t.Errorf("wait = %+v %v", r, err)
		}
	}
	if m, err := rm.Wait(); err != nil || string(m.Body) != "done" {
		t.Errorf("recv = %+v %v", m, err)
	}
	h.checkClean(t)
}
