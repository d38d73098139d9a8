package cli

import (
	"fmt"
	"strings"

	"github.com/aiosys/aios/kernel"
)

// maxChildLines bounds the lines of the process tree a run's summary prints.
const maxChildLines = 50

// childLines returns the summary's lines of the agents a run started (ABI 1.3's agent_spawn),
// each indented under its parent: name[pid], how it ended, its tokens. A large tree is cut
// after maxChildLines lines, saying how many agents are not shown.
func childLines(cs []kernel.ChildInfo) string {
	var b strings.Builder
	shown, hidden := 0, 0
	var walk func(cs []kernel.ChildInfo, depth int)
	walk = func(cs []kernel.ChildInfo, depth int) {
		for _, c := range cs {
			if shown == maxChildLines {
				hidden++
			} else {
				shown++
				fmt.Fprintf(&b, "\n  %s%s[%d] %s, %s in, %d out", strings.Repeat("  ", depth), safeText(c.Name), c.PID,
					childEnding(c), plural(c.Usage.InputTokens, "token"), c.Usage.OutputTokens)
			}
			walk(c.Children, depth+1)
		}
	}
	walk(cs, 0)
	if hidden > 0 {
		fmt.Fprintf(&b, "\n  … %s not shown", plural(hidden, "agent"))
	}
	return b.String()
}

func childEnding(c kernel.ChildInfo) string {
	switch c.Status {
	case "exited":
		return fmt.Sprintf("exited %d", c.ExitCode)
	case "failed":
		return "failed: " + safeText(c.Error)
	}
	return c.Status
}

// jsonChild is an agent a run started, in `aios run --json`'s result.
type jsonChild struct {
	PID          kernel.PID  `json:"pid"`
	Agent        string      `json:"agent"`
	Module       string      `json:"module"`
	Status       string      `json:"status"` // "running", "exited", "failed", "killed" or "canceled"
	ExitCode     int         `json:"exit_code"`
	Error        string      `json:"error,omitempty"`
	InputTokens  int         `json:"input_tokens"`
	OutputTokens int         `json:"output_tokens"`
	Cost         string      `json:"cost"`
	Children     []jsonChild `json:"children,omitempty"`
}

func jsonChildren(cs []kernel.ChildInfo) []jsonChild {
	if len(cs) == 0 {
		return nil
	}
	out := make([]jsonChild, len(cs))
	for i, c := range cs {
		out[i] = jsonChild{PID: c.PID, Agent: c.Name, Module: c.Module, Status: c.Status, ExitCode: c.ExitCode, Error: c.Error,
			InputTokens: c.Usage.InputTokens, OutputTokens: c.Usage.OutputTokens, Cost: c.Usage.Cost.String(),
			Children: jsonChildren(c.Children)}
	}
	return out
}
