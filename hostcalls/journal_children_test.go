package hostcalls

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/quota"
)

// TestReplayNotesChildren: the replayed part of a resumed guest's journal names the children it
// started, blocking (under its spawn's index) or submitted (under its submit's), by the pids
// their results gave, with the budgets they asked for, and the ones it killed, for the kernel to bring back at the switch to live.
func TestReplayNotesChildren(t *testing.T) {
	g := newEnv(t, seeded).g
	var handle [4]byte
	binary.LittleEndian.PutUint32(handle[:], 7)
	kill := requestMemory(`{"pid":10}`)
	calls := []*Call{
		{Index: 4, Name: "submit", Params: []uint64{0, 11, 0, 2, 64}, Results: []uint64{0},
			Writes: []Write{{Off: 64, Data: handle[:]}}, Submitted: &Submission{Call: "agent_spawn", Request: []byte(`{"module":"w.wasm","budget":{"tokens":5}}`)}},
		{Index: 5, Name: "agent_spawn", Params: []uint64{0, 2, 64}, Results: []uint64{0},
			Delivered: []Delivered{{RID: 1, Body: []byte(`{"pid":10,"name":"w"}`)}}},
		{Index: 6, Name: "agent_spawn", Params: []uint64{0, 2, 64}, Results: []uint64{uint64(EPERM)}},
		{Index: 7, Name: "poll", Params: []uint64{7, 64}, Results: []uint64{0},
			Delivered: []Delivered{{RID: 2, Body: []byte(`{"pid":9,"name":"w"}`)}}},
		{Index: 8, Name: "agent_kill", Params: []uint64{0, uint64(len(kill)), 64}, Results: []uint64{0}},
	}
	for _, c := range calls {
		g.noteReplayed(c, kill)
	}
	want := []kernel.ReplayedSpawn{{Index: 5, PID: 10, Killed: true}, {Index: 4, PID: 9, Budget: quota.Amount{Tokens: 5}}}
	if fmt.Sprint(g.replay.spawns) != fmt.Sprint(want) {
		t.Errorf("spawns %+v, want %+v", g.replay.spawns, want)
	}
}
