package hostcalls

import (
	"context"
	"fmt"
)

// input implements input(out): the run input as a result.
func input(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	out := p[0]
	if err := g.prepareResult(mem, out); err != nil {
		return err
	}
	return g.deliver(mem, out, g.proc.Input())
}

// output implements output(ptr, len): appends to the run output, all or nothing.
func output(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	b, err := viewRequest(mem, p[0], p[1], g.lim.Request)
	if err != nil {
		return err
	}
	if err := g.proc.Output(b); err != nil {
		return fmt.Errorf("output of %d bytes: %w", len(b), err)
	}
	return nil
}

// logLine implements log(level, ptr, len): one line of the agent's log, at level 0 (debug) to
// 3 (error). The kernel truncates silently past the log limit.
func logLine(_ context.Context, g *Guest, mem Memory, p []uint64) error {
	level := uint32(p[0])
	if level > 3 {
		return fail(EINVAL, fmt.Sprintf("log level %d is not 0 (debug) to 3 (error)", level))
	}
	b, err := viewRequest(mem, p[1], p[2], g.lim.Request)
	if err != nil {
		return err
	}
	g.proc.Log(int(level), string(b))
	return nil
}
