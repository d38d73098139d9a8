package hostcalls

import (
	"context"

	"github.com/aiosys/aios/kernel"
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
	c, err := p.SpawnAgent(ctx, r.Module, kernel.SpawnRequest{Input: r.Input, Args: r.Args, Env: r.Env, Limits: lim, Budget: budget})
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
