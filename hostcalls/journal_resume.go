package hostcalls

import (
	"encoding/binary"
	"fmt"
)

// replayState is what a guest that replays its journal keeps for the moment it goes live
// (resume): the handles submitted in the replayed part and not yet released by poll.
type replayState struct {
	active  bool
	pending map[uint32]bool
}

// noteReplayed keeps track of the handles a replayed call submitted or released.
func (g *Guest) noteReplayed(c *Call) {
	g.replay.active = true
	if c.Trap != "" || len(c.Params) == 0 {
		return
	}
	code := Errno(c.Errno())
	switch c.Name {
	case "submit":
		if code != OK || len(c.Writes) == 0 || len(c.Writes[len(c.Writes)-1].Data) != 4 {
			return
		}
		id := binary.LittleEndian.Uint32(c.Writes[len(c.Writes)-1].Data)
		if g.replay.pending == nil {
			g.replay.pending = map[uint32]bool{}
		}
		g.replay.pending[id] = true
		g.mu.Lock()
		g.nextHandle = id
		g.mu.Unlock()
	case "poll":
		// poll releases its handle when it delivers the result or the call's own error; it
		// keeps it while the call runs (EAGAIN), and when the result finds no room or no
		// place (ELIMIT, EFAULT).
		if code != EAGAIN && code != ELIMIT && code != EFAULT {
			delete(g.replay.pending, uint32(c.Params[0]))
		}
	}
}

// goLive ends the replay of a resumed guest at its first live call. A handle submitted in the
// replayed part and never released was in flight when the run was interrupted: its result was
// never journaled, so nobody saw it, and it fails with ECANCELED for the agent to submit again
// (docs/DURABLE.md).
func (g *Guest) goLive() {
	if !g.replay.active {
		return
	}
	g.replay.active = false
	g.mu.Lock()
	defer g.mu.Unlock()
	for id := range g.replay.pending {
		g.handles[id] = &handle{cancel: func() {}, done: true,
			err: fail(ECANCELED, fmt.Sprintf("handle %d was in flight when the run was interrupted and its result was never journaled; submit the call again", id))}
	}
	g.replay.pending = nil
}
