package aios

import (
	"encoding/json"
	"strings"
)

// The host's view of the message bodies, read with encoding/json as the real host reads them.
type (
	msgSendRequest struct {
		To   uint64 `json:"to"`
		Body []byte `json:"body"`
	}
	msgRecvRequest struct {
		TimeoutMS *int64 `json:"timeout_ms"`
	}
)

// calls13 are the agent calls of ABI 1.3 (docs/ABI.md, section 4.2).
var calls13 = map[string]bool{"agent_spawn": true, "agent_wait": true, "agent_kill": true, "msg_send": true, "msg_recv": true}

// world13 is the fake host's model of child agents and mailboxes: a child "ends" as soon as it
// is waited for, with the output "out of NAME"; messages sent are recorded, and the mailbox
// holds what the test puts there.
type world13 struct {
	denied   bool // policy refuses agent_spawn
	children map[uint64]*ChildResult
	next     uint64
	mailbox  []Mail
	sentMail []msgSendRequest
	// recvTimeouts are the timeouts of the msg_recv_bytes calls (ABI 1.4), in nanoseconds.
	recvTimeouts []int64
}

// agentCall runs an agent call blocking, as the real host's agent_* and msg_* imports do.
func (h *fakeHost) agentCall(name string, body []byte, out *resultBuf) Errno {
	if h.minor < 3 || !calls13[name] {
		return h.fail(name, ErrNoSys, "no such call")
	}
	v, e := h.serve(name, body)
	if e != 0 {
		return e
	}
	return h.storeJSON(name, v, out)
}

func (h *fakeHost) serveAgents(name string, body []byte) (any, Errno) {
	w := &h.agents13
	if w.children == nil {
		w.children, w.next = map[uint64]*ChildResult{}, 100
	}
	var ref agentRef
	_ = json.Unmarshal(body, &ref)
	switch name {
	case "agent_spawn":
		var r spawnRequest
		if err := json.Unmarshal(body, &r); err != nil || r.Module == "" {
			return nil, h.fail(name, ErrInvalid, "malformed request")
		}
		if w.denied {
			return nil, h.fail(name, ErrPermission, `call "agent_spawn" is not granted to the agent by the operator`)
		}
		if !strings.HasSuffix(r.Module, ".wasm") {
			return nil, h.fail(name, ErrNotFound, "module is not in the agents directory")
		}
		w.next++
		n := strings.TrimSuffix(r.Module, ".wasm")
		w.children[w.next] = &ChildResult{PID: w.next, Name: n, Module: r.Module, Status: "running"}
		return Child{PID: w.next, Name: n}, 0
	case "agent_wait", "agent_kill":
		c, ok := w.children[ref.PID]
		if !ok {
			return nil, h.fail(name, ErrNotFound, "no such agent among the caller's children")
		}
		if name == "agent_kill" {
			if c.Status == "running" {
				c.Status, c.ExitCode = "killed", -1
			}
			return struct{}{}, 0
		}
		if c.Status == "running" && ref.TimeoutMS != nil && *ref.TimeoutMS == 0 {
			return nil, h.fail(name, ErrAgain, "the agent is still running")
		}
		if c.Status == "running" {
			c.Status, c.Output, c.OutputBytes = "exited", []byte("out of "+c.Name), len("out of "+c.Name)
		}
		return *c, 0
	case "msg_send":
		var r msgSendRequest
		_ = json.Unmarshal(body, &r)
		if len(r.Body) > 16 {
			return nil, h.fail(name, ErrTooBig, "the message is too large")
		}
		if _, ok := w.children[r.To]; !ok && r.To != 1 {
			return nil, h.fail(name, ErrNotFound, "no such agent in the caller's tree")
		}
		w.sentMail = append(w.sentMail, r)
		return struct{}{}, 0
	}
	var r msgRecvRequest
	_ = json.Unmarshal(body, &r)
	if len(w.mailbox) == 0 {
		if r.TimeoutMS != nil && *r.TimeoutMS == 0 {
			return nil, h.fail(name, ErrAgain, "no message is waiting")
		}
		return nil, h.fail(name, ErrTimeout, "no message in time")
	}
	m := w.mailbox[0]
	w.mailbox = w.mailbox[1:]
	return m, 0
}
