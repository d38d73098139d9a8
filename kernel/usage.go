package kernel

import (
	"maps"
	"time"

	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// Usage is what a process has consumed.
type Usage struct {
	// Calls counts system calls, denied ones included.
	Calls int
	// Denied counts the calls policy (or the gate's rate limits) refused.
	Denied       int
	Generations  int
	ToolCalls    int // tool_call calls policy allowed, whatever their outcome
	InputTokens  int
	OutputTokens int
	Cost         quota.Cost // money charged for generations, at the cores' prices
	LogBytes     uint64
	OutputBytes  uint64
	// Cores breaks the generations down by the core that ran them; nil before the first.
	Cores map[string]CoreUsage
	// BudgetRefusals counts generations refused because a budget had too little left: the
	// process's own, its agent's or its tenant's (quota.ErrExhausted).
	BudgetRefusals int
	// Exhausted names the budget that refused the last of them, e.g. `run "writer[3]" tokens
	// budget of 50 tokens`; empty when none did.
	Exhausted string
}

// CoreUsage is what a process's generations used on one core.
type CoreUsage struct {
	Generations  int
	InputTokens  int
	OutputTokens int
	Cost         quota.Cost    // zero when the core has no prices or no dispatcher charged it
	QueueWait    time.Duration // time spent waiting for a place on a core
	Retries      int           // failed tries before the generations succeeded, on any core
}

// clone returns u with its own copy of Cores, so a snapshot does not share the live map.
func (u Usage) clone() Usage {
	u.Cores = maps.Clone(u.Cores)
	return u
}

// addGeneration records one successful generation: r is the dispatcher's receipt when one was
// given, otherwise the response alone says what was used and where.
func (u *Usage) addGeneration(resp llm.Response, r *dispatch.Receipt) {
	rc := dispatch.Receipt{Core: resp.Core, Usage: resp.Usage}
	if r != nil {
		rc = *r
	}
	in, out := max(rc.Usage.InputTokens, 0), max(rc.Usage.OutputTokens, 0)
	u.Calls++
	u.Generations++
	// Counts come from backends: they saturate rather than wrap (see quota.Add).
	u.InputTokens = quota.Add(u.InputTokens, in)
	u.OutputTokens = quota.Add(u.OutputTokens, out)
	u.Cost = quota.Add(u.Cost, max(rc.Cost, 0))
	if u.Cores == nil {
		u.Cores = map[string]CoreUsage{}
	}
	c := u.Cores[rc.Core]
	c.Generations++
	c.InputTokens = quota.Add(c.InputTokens, in)
	c.OutputTokens = quota.Add(c.OutputTokens, out)
	c.Cost = quota.Add(c.Cost, max(rc.Cost, 0))
	c.QueueWait += rc.QueueWait
	c.Retries += rc.Retries
	u.Cores[rc.Core] = c
}
