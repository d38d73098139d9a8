package hostcalls

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// DivergenceError ends a replayed guest whose journaled call differs from the journal's: the
// guest is not the one that was recorded, or it was given a different run record.
type DivergenceError struct {
	Index    int    // the journaled call's index
	Name     string // the call the guest made
	Expected string // what the journal holds
	Got      string // what the guest did
}

func (e *DivergenceError) Error() string {
	return fmt.Sprintf("replay diverged at journaled call %d (%s): expected %s, got %s", e.Index, e.Name, e.Expected, e.Got)
}

// ReplayedTrap is the trap a journaled call ended the guest with when it was recorded, given
// again on replay.
type ReplayedTrap struct{ Message string }

func (e *ReplayedTrap) Error() string { return e.Message }

// replayCall answers a journaled call from its record: it checks that the guest made the same
// call with the same request, then applies what the call did, without running it.
func (g *Guest) replayCall(f *Func, c *Call, mem Memory, stack []uint64) error {
	idx := g.journalNext
	g.journalNext++
	g.noteReplayed(c, mem)
	params := stack[:len(f.Params)]
	if c.Module != f.Module || c.Name != f.Name || !slicesEqual(c.Params, params) {
		return &DivergenceError{Index: idx, Name: f.Name, Expected: describeCall(c.Name, c.Params), Got: describeCall(f.Name, params)}
	}
	sum, err := digestSpans(mem, c.Reads)
	if err != nil {
		return &DivergenceError{Index: idx, Name: f.Name, Expected: "a request in guest memory", Got: err.Error()}
	}
	if !bytes.Equal(sum, c.ReadSum) {
		return &DivergenceError{Index: idx, Name: f.Name, Expected: "request sha256:" + short(c.ReadSum), Got: "request sha256:" + short(sum)}
	}
	for _, w := range c.Writes {
		if !mem.Write(w.Off, w.Data) {
			return &DivergenceError{Index: idx, Name: f.Name, Expected: fmt.Sprintf("%d bytes writable at %d", len(w.Data), w.Off), Got: "a smaller memory"}
		}
	}
	var lastErr *abiError
	if len(c.LastError) > 0 {
		lastErr = new(abiError)
		if err := json.Unmarshal(c.LastError, lastErr); err != nil {
			return fmt.Errorf("journaled call %d (%s): last error: %w", idx, f.Name, err)
		}
	}
	g.mu.Lock()
	for _, d := range c.Delivered {
		g.results[d.RID] = bytes.Clone(d.Body)
		g.nextRID = d.RID
	}
	if lastErr != nil {
		g.lastErr = lastErr
	}
	g.mu.Unlock()
	for {
		last := g.mono.Load()
		if c.Mono <= last || g.mono.CompareAndSwap(last, c.Mono) {
			break
		}
	}
	if c.Trap != "" {
		return &ReplayedTrap{Message: c.Trap}
	}
	if len(c.Results) != len(f.Results) {
		return fmt.Errorf("journaled call %d (%s): %d results recorded, the call has %d", idx, f.Name, len(c.Results), len(f.Results))
	}
	copy(stack, c.Results)
	return nil
}

// digestSpans hashes the guest bytes of spans in order, as recordingMemory did.
func digestSpans(mem Memory, spans []Span) ([]byte, error) {
	if len(spans) == 0 {
		return nil, nil
	}
	h := sha256.New()
	for _, s := range spans {
		b, ok := mem.Read(s.Off, s.Len)
		if !ok {
			return nil, errors.New("the request is outside the agent's memory")
		}
		h.Write(b)
	}
	return h.Sum(nil), nil
}

func describeCall(name string, params []uint64) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('(')
	for i, p := range params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(fmt.Sprint(p))
	}
	b.WriteByte(')')
	return b.String()
}

func short(sum []byte) string {
	if len(sum) == 0 {
		return "(none)"
	}
	return hex.EncodeToString(sum)[:16]
}

func slicesEqual(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
