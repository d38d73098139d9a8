package hostcalls

import (
	"strings"
	"testing"
)

func TestResumeRestartsCallsLeftInFlight(t *testing.T) {
	live := newEnv(t, seeded)
	j := &memJournal{}
	live.g.SetJournal(j)
	cp, cn := live.put(reqAt, []byte("llm_generate"))
	rp, rn := live.put(reqAt+64, generateBody("first", false))
	if code := live.aios("submit", cp, cn, rp, rn, outAt); code != OK {
		t.Fatal(code)
	}
	first := live.u32(outAt)
	rp, rn = live.put(reqAt+64, generateBody("second", false))
	if code := live.aios("submit", cp, cn, rp, rn, outAt); code != OK {
		t.Fatal(code)
	}
	second := live.u32(outAt)
	binaryPutU32(live.mem.b[outAt+16:], first)
	live.aios("wait", outAt+16, 1, ^uint64(0), outAt+32)
	if code := live.aios("poll", uint64(first), outAt); code != OK {
		t.Fatal(code)
	}
	// The run is interrupted here: the first result was journaled, the second never was.

	resumed := newEnv(t, seeded)
	resumed.g.SetJournal(&memJournal{replay: j.recorded})
	cp, cn = resumed.put(reqAt, []byte("llm_generate"))
	rp, rn = resumed.put(reqAt+64, generateBody("first", false))
	resumed.aios("submit", cp, cn, rp, rn, outAt)
	rp, rn = resumed.put(reqAt+64, generateBody("second", false))
	resumed.aios("submit", cp, cn, rp, rn, outAt)
	if got := resumed.u32(outAt); got != second {
		t.Fatalf("replayed submit gave handle %d, want %d", got, second)
	}
	binaryPutU32(resumed.mem.b[outAt+16:], first)
	resumed.aios("wait", outAt+16, 1, ^uint64(0), outAt+32)
	if code := resumed.aios("poll", uint64(first), outAt); code != OK || !strings.Contains(string(resumed.takeResult(outAt)), "echo: first") {
		t.Fatalf("replayed poll = %v", code)
	}
	// Live from here: the second call is started again, under its handle, from the journal.
	binaryPutU32(resumed.mem.b[outAt+16:], second)
	resumed.aios("wait", outAt+16, 1, ^uint64(0), outAt+32)
	if code := resumed.aios("poll", uint64(second), outAt); code != OK || !strings.Contains(string(resumed.takeResult(outAt)), "echo: second") {
		t.Fatalf("poll of the call left in flight = %v", code)
	}
	if code := resumed.aios("submit", cp, cn, rp, rn, outAt); code != OK || resumed.u32(outAt) != second+1 {
		t.Errorf("a live submit after resume = %v, handle %d, want %d", code, resumed.u32(outAt), second+1)
	}
	binaryPutU32(resumed.mem.b[outAt+16:], second+1)
	resumed.aios("wait", outAt+16, 1, ^uint64(0), outAt+32)
	resumed.core.mu.Lock()
	defer resumed.core.mu.Unlock()
	if n := len(resumed.core.requests); n != 2 {
		t.Errorf("resume sent %d generations, want 2 (the one left in flight, the new one)", n)
	}
}

func TestResumeFailsAStreamPartlyRead(t *testing.T) {
	live := newEnv(t, seeded)
	j := &memJournal{}
	live.g.SetJournal(j)
	cp, cn := live.put(reqAt, []byte("llm_generate"))
	rp, rn := live.put(reqAt+64, generateBody("one two three", true))
	if code := live.aios("submit", cp, cn, rp, rn, outAt); code != OK {
		t.Fatal(code)
	}
	h := live.u32(outAt)
	if code := live.aios("stream_next", uint64(h), outAt); code != OK {
		t.Fatal(code)
	}
	// Interrupted here: the agent saw a chunk of a call whose result was never journaled.

	resumed := newEnv(t, seeded)
	resumed.g.SetJournal(&memJournal{replay: j.recorded})
	cp, cn = resumed.put(reqAt, []byte("llm_generate"))
	rp, rn = resumed.put(reqAt+64, generateBody("one two three", true))
	resumed.aios("submit", cp, cn, rp, rn, outAt)
	if code := resumed.aios("stream_next", uint64(h), outAt); code != OK || !strings.Contains(string(resumed.takeResult(outAt)), "one") {
		t.Fatalf("replayed stream_next = %v", code)
	}
	if code := resumed.aios("stream_next", uint64(h), outAt); code != EEOF {
		t.Fatalf("live stream_next of a stream partly read before the crash = %v, want EEOF", code)
	}
	if code := resumed.aios("poll", uint64(h), outAt); code != ECANCELED {
		t.Fatalf("poll = %v, want ECANCELED", code)
	}
	if le := resumed.lastErr(); !strings.Contains(le.Message, "interrupted") {
		t.Errorf("last error %q", le.Message)
	}
	if n := len(resumed.core.requests); n != 0 {
		t.Errorf("resume sent %d generations, want none", n)
	}
}
