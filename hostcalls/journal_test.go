package hostcalls

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/aiosys/aios/kernel"
)

// memJournal is a Journal in memory: it replays calls, then records (or, strict, refuses to
// go live).
type memJournal struct {
	replay   []*Call
	next     int
	strict   bool
	recorded []*Call
}

func (j *memJournal) Next(_, _ string) (*Call, error) {
	if j.next < len(j.replay) {
		j.next++
		return j.replay[j.next-1], nil
	}
	if j.strict {
		return nil, errors.New("the journal has no more calls")
	}
	return nil, nil
}

func (j *memJournal) Record(c *Call) error {
	j.recorded = append(j.recorded, c)
	return nil
}

func TestEveryCallIsClassified(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Table() {
		key := f.Module + "." + f.Name
		seen[key] = true
		if ClassOf(f.Module, f.Name) == 0 {
			t.Errorf("%s has no journal class: add it to classes in journal_class.go (docs/DURABLE.md)", key)
		}
	}
	for key := range classes {
		if !seen[key] {
			t.Errorf("classes lists %s, which the table does not have", key)
		}
	}
}

// journalScript makes calls of every kind a replay must reproduce and returns what the guest
// observed of them.
func journalScript(e *env, question string) []byte {
	var seen bytes.Buffer
	e.wasi("clock_time_get", clockRealtime, 0, outAt)
	fmt.Fprint(&seen, e.u64(outAt), " ")
	e.wasi("clock_time_get", clockMonotonic, 0, outAt)
	fmt.Fprint(&seen, e.u64(outAt), " ")
	e.wasi("random_get", outAt, 16)
	seen.Write(e.mem.b[outAt : outAt+16])

	ptr, n := e.put(reqAt, generateBody(question, false))
	fmt.Fprint(&seen, e.aios("llm_generate", ptr, n, outAt))
	seen.Write(e.takeResult(outAt))

	ptr, n = e.put(reqAt, generateBody("fail", false))
	fmt.Fprint(&seen, e.aios("llm_generate", ptr, n, outAt))
	le := e.lastErr()
	fmt.Fprint(&seen, le.Name, le.Call)

	cp, cn := e.put(reqAt, []byte("llm_generate"))
	rp, rn := e.put(reqAt+64, generateBody("async", false))
	fmt.Fprint(&seen, e.aios("submit", cp, cn, rp, rn, outAt))
	h := e.u32(outAt)
	binaryPutU32(e.mem.b[outAt+16:], h)
	fmt.Fprint(&seen, e.aios("wait", outAt+16, 1, ^uint64(0), outAt+32))
	fmt.Fprint(&seen, e.aios("poll", uint64(h), outAt))
	seen.Write(e.takeResult(outAt))

	sp, sn := e.put(reqAt, []byte(`{"key":"k","value":"dg=="}`))
	fmt.Fprint(&seen, e.aios("storage_put", sp, sn, outAt))
	return seen.Bytes()
}

func binaryPutU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func seeded(c *envConfig) { c.spec = kernel.Spec{Name: "agent", Seed: 42} }

func TestRecordThenReplayIsIdentical(t *testing.T) {
	live := newEnv(t, seeded)
	j := &memJournal{}
	live.g.SetJournal(j)
	want := journalScript(live, "why")
	if len(j.recorded) != 8 {
		t.Fatalf("recorded %d calls, want 8 (2 clocks, 2 generations, submit, wait, poll, storage_put)", len(j.recorded))
	}
	for i, c := range j.recorded {
		if c.Index != i || ClassOf(c.Module, c.Name) != Journaled {
			t.Errorf("call %d recorded as %d %s.%s", i, c.Index, c.Module, c.Name)
		}
	}

	replay := newEnv(t, seeded)
	replay.g.SetJournal(&memJournal{replay: j.recorded, strict: true})
	got := journalScript(replay, "why")
	if !bytes.Equal(got, want) {
		t.Errorf("replay observed\n%q\nlive observed\n%q", got, want)
	}
	if n := len(replay.core.requests); n != 0 {
		t.Errorf("replay sent %d generations to the core, want none", n)
	}
}

func TestReplayReportsTheFirstDivergence(t *testing.T) {
	live := newEnv(t, seeded)
	j := &memJournal{}
	live.g.SetJournal(j)
	journalScript(live, "why")

	replay := newEnv(t, seeded)
	replay.g.SetJournal(&memJournal{replay: j.recorded, strict: true})
	replay.wasi("clock_time_get", clockRealtime, 0, outAt)
	replay.wasi("clock_time_get", clockMonotonic, 0, outAt)
	ptr, n := replay.put(reqAt, generateBody("why not", false))
	_, err := replay.callCtx(t.Context(), ModuleAIOS, "llm_generate", ptr, n, outAt)
	var d *DivergenceError
	if !errors.As(err, &d) || d.Index != 2 || d.Name != "llm_generate" {
		t.Fatalf("a different request: %v, want a divergence at call 2", err)
	}

	other := newEnv(t, seeded)
	other.g.SetJournal(&memJournal{replay: j.recorded, strict: true})
	_, err = other.callCtx(t.Context(), ModuleAIOS, "llm_generate", ptr, n, outAt)
	if !errors.As(err, &d) || d.Index != 0 || d.Expected != "clock_time_get(0, 0, 16384)" {
		t.Fatalf("a different call: %v, want a divergence at call 0", err)
	}
}

func TestReplayThenLive(t *testing.T) {
	live := newEnv(t, seeded)
	j := &memJournal{}
	live.g.SetJournal(j)
	journalScript(live, "why")

	resumed := newEnv(t, seeded)
	rj := &memJournal{replay: j.recorded[:3]} // the first generation was journaled, then a crash
	resumed.g.SetJournal(rj)
	got := journalScript(resumed, "why")
	for _, s := range []string{"echo: why", "echo: async", "EBACKENDllm_generate"} {
		if !bytes.Contains(got, []byte(s)) {
			t.Errorf("resumed run observed %q, without %q", got, s)
		}
	}
	if n := len(resumed.core.requests); n != 2 {
		t.Errorf("resume sent %d generations, want 2 (the ones not journaled)", n)
	}
	if len(rj.recorded) != 5 || rj.recorded[0].Index != 3 {
		t.Errorf("resume recorded %d calls from index %d, want 5 from 3", len(rj.recorded), rj.recorded[0].Index)
	}
}

// BenchmarkJournalOff measures clock_time_get through the table (wrapped for journaling, no
// journal set) against its bare handler: the cost of the journal's nil check.
func BenchmarkJournalOff(b *testing.B) {
	e := newEnv(b)
	wrapped, _ := Lookup(ModuleWASI, "clock_time_get")
	bare := wasiClockCalls()[1]
	stack := make([]uint64, 3)
	for _, c := range []struct {
		name string
		h    Handler
	}{{"bare", bare.Handler}, {"wrapped", wrapped.Handler}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				stack[0], stack[1], stack[2] = clockMonotonic, 0, outAt
				if err := c.h(b.Context(), e.g, e.mem, stack); err != nil || stack[0] != 0 {
					b.Fatal(stack[0], err)
				}
			}
		})
	}
}
