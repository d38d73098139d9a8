package hostcalls

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/storage"
	"github.com/aiosys/aios/kernel/writekey"
)

// keyedJournal is a memJournal that names its store writes, as a durable run's journal does.
type keyedJournal struct {
	memJournal
	attempt int
}

func (j *keyedJournal) WriteKey(call int) writekey.Key {
	return writekey.Key{Run: "run-1", Attempt: j.attempt, Call: call}
}

// versions returns how many versions key has in agent's storage space.
func versions(t *testing.T, s *storage.Store, agent, key string) int {
	t.Helper()
	revs, err := s.History(context.Background(), space.Of(space.Identity{Name: agent}), key, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(revs)
}

// TestWriteKeyAppliesWritesLostFromTheJournalOnce makes store writes in a durable run whose
// journal then loses their records (as a SIGKILL between a store's commit and the journal's
// write does), resumes it against the same stores, and checks that each write is applied once
// and the resumed agent sees what the first attempt saw.
func TestWriteKeyAppliesWritesLostFromTheJournalOnce(t *testing.T) {
	m, s := stores(t)
	live := newEnv(t, withStores(m, s, "agent"))
	j := &keyedJournal{attempt: 1}
	live.g.SetJournal(j)
	live.must("storage_put", map[string]any{"key": "a", "value": []byte("1")})
	id := live.must("memory_add", map[string]any{"text": "a note"})["id"]
	live.must("storage_put", map[string]any{"key": "b", "value": []byte("2")})

	resumed := newEnv(t, withStores(m, s, "agent"))
	resumed.g.SetJournal(&keyedJournal{memJournal: memJournal{replay: j.recorded[:1]}, attempt: 1})
	resumed.must("storage_put", map[string]any{"key": "a", "value": []byte("1")}) // replayed
	if got := resumed.must("memory_add", map[string]any{"text": "a note"})["id"]; got != id {
		t.Errorf("the add made again gave id %v, want the first one's %v", got, id)
	}
	if got := resumed.must("storage_put", map[string]any{"key": "b", "value": []byte("2")}); got["version"] != 1.0 {
		t.Errorf("the put made again gave version %v, want 1", got["version"])
	}
	if n := versions(t, s, "agent", "b"); n != 1 {
		t.Errorf("b has %d versions, want 1", n)
	}
	if u, _ := m.Usage(context.Background(), space.Of(space.Identity{Name: "agent"})); u.Entries != 1 {
		t.Errorf("memory holds %d entries, want 1", u.Entries)
	}

	// Another attempt of the run (a restart) applies its writes anew.
	next := newEnv(t, withStores(m, s, "agent"))
	next.g.SetJournal(&keyedJournal{memJournal: memJournal{replay: j.recorded[:2]}, attempt: 2})
	next.must("storage_put", map[string]any{"key": "a", "value": []byte("1")})
	next.must("memory_add", map[string]any{"text": "a note"})
	if got := next.must("storage_put", map[string]any{"key": "b", "value": []byte("2")}); got["version"] != 2.0 {
		t.Errorf("attempt 2's put gave version %v, want 2", got["version"])
	}
}

// TestWriteKeyAppliesASubmittedWriteLeftInFlightOnce submits a storage write that the store
// applies but whose result the journal never gets, resumes the run, and checks that the write
// restarted at the switch to live is answered from its key, not applied again.
func TestWriteKeyAppliesASubmittedWriteLeftInFlightOnce(t *testing.T) {
	m, s := stores(t)
	live := newEnv(t, withStores(m, s, "agent"))
	j := &keyedJournal{attempt: 1}
	live.g.SetJournal(j)
	body, _ := json.Marshal(map[string]any{"key": "k", "value": []byte("v")})
	submitPut := func(e *env) uint32 {
		cp, cn := e.put(callAt, []byte("storage_put"))
		rp, rn := e.put(reqAt, body)
		if code := e.aios("submit", cp, cn, rp, rn, outAt); code != OK {
			t.Fatalf("submit = %v", code)
		}
		return e.u32(outAt)
	}
	h := submitPut(live)
	if code, _ := live.waitOn(10*time.Second, h); code != OK {
		t.Fatalf("wait = %v", code)
	}
	// Interrupted here: the put was applied, and only its submit was journaled.

	resumed := newEnv(t, withStores(m, s, "agent"))
	resumed.g.SetJournal(&keyedJournal{memJournal: memJournal{replay: j.recorded[:1]}, attempt: 1})
	if got := submitPut(resumed); got != h {
		t.Fatalf("the replayed submit gave handle %d, want %d", got, h)
	}
	if code, _ := resumed.waitOn(10*time.Second, h); code != OK {
		t.Fatalf("live wait = %v", code)
	}
	if code := resumed.aios("poll", uint64(h), outAt); code != OK {
		t.Fatalf("poll = %v (%s)", code, resumed.lastErr().Message)
	}
	var rev struct{ Version int64 }
	if err := json.Unmarshal(resumed.takeResult(outAt), &rev); err != nil || rev.Version != 1 {
		t.Errorf("the restarted put gave version %d (%v), want 1", rev.Version, err)
	}
	if n := versions(t, s, "agent", "k"); n != 1 {
		t.Errorf("k has %d versions, want 1", n)
	}
}

// TestNoJournalNoWriteKey checks that a guest without a journal (a run that is not durable)
// gives its writes no key: the same write twice is applied twice.
func TestNoJournalNoWriteKey(t *testing.T) {
	m, s := stores(t)
	e := newEnv(t, withStores(m, s, "agent"))
	e.must("storage_put", map[string]any{"key": "k", "value": []byte("v")})
	if got := e.must("storage_put", map[string]any{"key": "k", "value": []byte("v")}); got["version"] != 2.0 {
		t.Errorf("the second put gave version %v, want 2", got["version"])
	}
	if n, err := s.WriteKeys(context.Background(), "run-1"); err != nil || n != 0 {
		t.Errorf("%d write keys (%v), want none", n, err)
	}
}
