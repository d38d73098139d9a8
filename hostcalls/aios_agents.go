package hostcalls

import (
	"context"
	"encoding/json"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/writekey"
)

// The agent calls of ABI 1.3 (docs/ABI.md 4.2): each a managerCall, bound blocking and
// submittable like the calls of 1.2.

func agentSpawn(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r agentSpawnRequest
	if err := decodeBody("agent_spawn", body, &r); err != nil {
		return nil, err
	}
	if r.Module == "" {
		return nil, fail(EINVAL, "agent_spawn: the request names no module")
	}
	lim, err := r.Limits.limits()
	if err != nil {
		return nil, err
	}
	budget, err := r.Budget.amount()
	if err != nil {
		return nil, err
	}
	idx, journaled := ctx.Value(spawnIndexKey{}).(int)
	c, err := p.SpawnAgent(ctx, r.Module, kernel.SpawnRequest{Input: r.Input, Args: r.Args, Env: r.Env, Limits: lim, Budget: budget,
		Journaled: journaled, Index: idx})
	if err != nil {
		return nil, err
	}
	return agentStarted{PID: uint64(c.PID()), Name: c.Name()}, nil
}

func agentWait(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r agentRef
	if err := decodeBody("agent_wait", body, &r); err != nil {
		return nil, err
	}
	pid, err := pidOf("agent_wait", r.PID)
	if err != nil {
		return nil, err
	}
	in, err := p.WaitAgent(ctx, pid, timeout(r.TimeoutMS))
	if err != nil {
		return nil, err
	}
	return endedOf(in), nil
}

func agentKill(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r agentRef
	if err := decodeBody("agent_kill", body, &r); err != nil {
		return nil, err
	}
	pid, err := pidOf("agent_kill", r.PID)
	if err != nil {
		return nil, err
	}
	return struct{}{}, p.KillAgent(ctx, pid)
}

func msgSend(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r msgSendRequest
	if err := decodeBody("msg_send", body, &r); err != nil {
		return nil, err
	}
	pid, err := pidOf("msg_send", r.To)
	if err != nil {
		return nil, err
	}
	return struct{}{}, p.SendMessage(ctx, pid, r.Body)
}

func msgRecv(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r msgRecvRequest
	if err := decodeBody("msg_recv", body, &r); err != nil {
		return nil, err
	}
	m, err := p.RecvMessage(ctx, timeout(r.TimeoutMS))
	if err != nil {
		return nil, err
	}
	return messageBody{From: uint64(m.From), Body: nonNilBytes(m.Body)}, nil
}

// spawnIndexKey is the context key of a live agent_spawn's index in its durable run's
// journal (journal.go), from which the child's own run id is derived.
type spawnIndexKey struct{}

// withSpawnIndex returns ctx carrying the journal index of a live journaled call, when the
// call is agent_spawn.
func withSpawnIndex(ctx context.Context, name string, index int) context.Context {
	if name != "agent_spawn" {
		return ctx
	}
	return context.WithValue(ctx, spawnIndexKey{}, index)
}

// noteReplayedAgentCall keeps what a resumed guest's replayed agent call did to the agents
// around it, for the switch to live (goLive): the children it started and killed, and the
// messages it sent, to deliver again. c succeeded, and its request is in mem, as replayCall
// checks.
func (g *Guest) noteReplayedAgentCall(c *Call, mem Memory) {
	switch c.Name {
	case "agent_spawn":
		req, _ := readParams(c, mem, 0)
		if len(c.Delivered) > 0 {
			g.noteSpawned(c.Index, req, c.Delivered[len(c.Delivered)-1].Body)
		}
	case "agent_kill":
		var r agentRef
		if replayedRequest("agent_kill", c, mem, &r) {
			g.noteKilled(r.PID)
		}
	case "msg_send", "msg_send_bytes": // aios_msg.go
		if to, body, ok := sentMessage(c, mem); ok && g.proc != nil {
			g.proc.ReplaySent(to, body)
		}
	}
}

// noteReplayedSubmitted is noteReplayedAgentCall for an agent call submitted in the replayed
// part, whose result the replayed poll c delivered: its request is the one its submit kept.
func (g *Guest) noteReplayedSubmitted(p *inFlight, c *Call) {
	switch p.sub.Call {
	case "agent_spawn":
		if len(c.Delivered) > 0 {
			g.noteSpawned(p.call, p.sub.Request, c.Delivered[len(c.Delivered)-1].Body)
		}
	case "agent_kill":
		var r agentRef
		if decodeBody("agent_kill", p.sub.Request, &r) == nil {
			g.noteKilled(r.PID)
		}
	case "msg_send":
		var r msgSendRequest
		if decodeBody("msg_send", p.sub.Request, &r) == nil && r.To > 0 && g.proc != nil {
			g.proc.ReplaySent(kernel.PID(r.To), r.Body)
		}
	}
}

// noteKilled marks the child pid that a replayed agent_kill ended.
func (g *Guest) noteKilled(pid int64) {
	for i := range g.replay.spawns {
		if pid > 0 && g.replay.spawns[i].PID == kernel.PID(pid) {
			g.replay.spawns[i].Killed = true
		}
	}
}

// noteSpawned keeps a child that a replayed agent_spawn started, from its request (for the
// budget it asked for) and its result (its pid): index is the spawn's own journal index, or its
// submit's for a submitted one.
func (g *Guest) noteSpawned(index int, request, result []byte) {
	var r agentStarted
	if json.Unmarshal(result, &r) != nil || r.PID == 0 || r.PID >= 1<<63 {
		return
	}
	s := kernel.ReplayedSpawn{Index: index, PID: kernel.PID(r.PID)}
	var req agentSpawnRequest
	if decodeBody("agent_spawn", request, &req) == nil {
		s.Budget, _ = req.Budget.amount()
	}
	g.replay.spawns = append(g.replay.spawns, s)
}

// withSubmittedSpawn returns ctx carrying, for an agent_spawn submitted by a durable run (key
// is its submit's write key, nil for a run that is not durable), the index of its submit in
// the run's journal, which names the child as a blocking spawn's own index does.
func withSubmittedSpawn(ctx context.Context, name string, key *writekey.Key) context.Context {
	if key == nil {
		return ctx
	}
	return withSpawnIndex(ctx, name, key.Call)
}

// replayedRequest decodes the request of a replayed call (req_ptr, req_len) from mem.
func replayedRequest(call string, c *Call, mem Memory, v any) bool {
	b, ok := readParams(c, mem, 0)
	return ok && decodeBody(call, b, v) == nil
}
