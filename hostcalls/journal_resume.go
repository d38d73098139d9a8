package hostcalls

import (
	"encoding/binary"
	"fmt"

	"github.com/aiosys/aios/kernel"
)

// replayState is what a guest that replays its journal keeps for the moment it goes live
// (resume): the handles submitted in the replayed part and not yet released by poll.
type replayState struct {
	active  bool
	pending map[uint32]*inFlight
	spawns  []kernel.ReplayedSpawn // the children it started, for the kernel to bring back
}

// inFlight is a handle submitted in the replayed part of a journal.
type inFlight struct {
	call     int         // the index of its submit, which names a store write's key and a spawned child
	sub      *Submission // nil for a journal that did not keep the request
	streamed bool        // stream_next delivered a chunk of it: the agent saw part of it
}

// noteReplayed keeps track of the handles a replayed call submitted, streamed or released, and
// of the children it started and killed and the messages it sent.
func (g *Guest) noteReplayed(c *Call, mem Memory) {
	g.replay.active = true
	if c.Trap != "" || len(c.Params) == 0 {
		return
	}
	code := Errno(c.Errno())
	switch c.Name {
	case "agent_spawn", "agent_kill", "msg_send", "msg_send_bytes":
		if code == OK {
			g.noteReplayedAgentCall(c, mem)
		}
	case "submit":
		if code != OK || len(c.Writes) == 0 || len(c.Writes[len(c.Writes)-1].Data) != 4 {
			return
		}
		id := binary.LittleEndian.Uint32(c.Writes[len(c.Writes)-1].Data)
		if g.replay.pending == nil {
			g.replay.pending = map[uint32]*inFlight{}
		}
		g.replay.pending[id] = &inFlight{call: c.Index, sub: c.Submitted}
		g.mu.Lock()
		g.nextHandle = id
		g.mu.Unlock()
	case "stream_next":
		if p := g.replay.pending[uint32(c.Params[0])]; p != nil && code == OK {
			p.streamed = true
		}
	case "poll":
		// poll releases its handle when it delivers the result or the call's own error; it
		// keeps it while the call runs (EAGAIN), and when the result finds no room or no
		// place (ELIMIT, EFAULT).
		if code != EAGAIN && code != ELIMIT && code != EFAULT {
			id := uint32(c.Params[0])
			if p := g.replay.pending[id]; p != nil && p.sub != nil && code == OK {
				g.noteReplayedSubmitted(p, c)
			}
			delete(g.replay.pending, id)
		}
	}
}

// goLive ends the replay of a resumed guest at its first live call. A handle submitted in the
// replayed part and never released was in flight when the run was interrupted; its result was
// never journaled, so nobody saw it, and its call is started again under the same handle from
// the request the journal kept (a store write under its submit's write key, so that a write the
// store applied before the crash is not applied again). A stream of which the agent already
// read chunks cannot be started again without showing them twice: it ends (stream_next gives
// EEOF) and poll gives ECANCELED, for the agent to submit again (docs/DURABLE.md). First, the
// children the replayed part started are brought back under their pids, and the messages it
// sent are delivered again (kernel.Process.ResumeChildren).
func (g *Guest) goLive() {
	if !g.replay.active {
		return
	}
	g.replay.active = false
	pending := g.replay.pending
	g.replay.pending = nil
	if g.proc != nil {
		g.proc.ResumeChildren(g.replay.spawns) // and delivers again what it sent
		g.replay.spawns = nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for id, p := range pending {
		if !p.streamed && p.sub != nil {
			mem := requestMemory(p.sub.Request)
			run, stream, err := g.asyncCall(mem, p.sub.Call, 0, uint64(len(p.sub.Request)), g.writeKey(p.call))
			if err == nil && !g.closed {
				g.launchLocked(id, stream, run)
				continue
			}
		}
		g.handles[id] = &handle{cancel: func() {}, done: true, stream: p.streamed,
			err: fail(ECANCELED, fmt.Sprintf("handle %d was in flight when the run was interrupted and its result was never journaled; submit the call again", id))}
	}
}

// requestMemory is a request kept in a journal, as a Memory holding it at offset 0.
type requestMemory []byte

func (m requestMemory) Read(off, n uint32) ([]byte, bool) {
	if uint64(off)+uint64(n) > uint64(len(m)) {
		return nil, false
	}
	return m[off : off+n], true
}

func (m requestMemory) Write(uint32, []byte) bool { return false }

func (m requestMemory) Size() uint32 { return uint32(min(len(m), 1<<32-1)) }
