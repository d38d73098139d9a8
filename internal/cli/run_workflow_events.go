package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aiosys/aios/kernel"
)

// stepEventPrinter shows the live events of a workflow's agents, each line prefixed with its
// step's id ("build: info: compiling", "build: llm: ..."), the agent's text escaped. Streamed
// tokens are collected into whole lines, so steps running side by side never interleave
// mid-line; aios's own lines (notice) start with "aios:", which no agent line can.
type stepEventPrinter struct {
	mu      sync.Mutex
	w       io.Writer
	partial map[kernel.PID]*tokenLine
}

// tokenLine is the unfinished line of text a process is streaming.
type tokenLine struct {
	step string
	text strings.Builder
}

func newStepEventPrinter(w io.Writer) *stepEventPrinter {
	return &stepEventPrinter{w: w, partial: map[kernel.PID]*tokenLine{}}
}

// event prints e, an event of the agent run by step.
func (p *stepEventPrinter) event(step string, e kernel.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case kernel.EventToken:
		l := p.partial[e.PID]
		if l == nil {
			l = &tokenLine{step: step}
			p.partial[e.PID] = l
		}
		l.text.WriteString(e.Text)
		s := l.text.String()
		if i := strings.LastIndexByte(s, '\n'); i >= 0 {
			for _, line := range splitLF(s[:i]) {
				fmt.Fprintf(p.w, "%s: %s%s\n", step, tokenLabel, safeText(line))
			}
			l.text.Reset()
			l.text.WriteString(s[i+1:])
		}
	case kernel.EventLog:
		p.endTokens(e.PID)
		level := "info"
		if e.Level >= 0 && e.Level < len(levelNames) {
			level = levelNames[e.Level]
		}
		for _, line := range splitLines(e.Text) {
			fmt.Fprintf(p.w, "%s: %s: %s\n", step, level, safeText(line))
		}
	case kernel.EventExit:
		p.endTokens(e.PID)
		delete(p.partial, e.PID)
	case kernel.EventRetry, kernel.EventFailover:
		p.endTokens(e.PID)
		fmt.Fprintf(p.w, "%s: aios: %s\n", step, safeText(e.Text))
	}
}

// endTokens prints pid's unfinished token line, if any.
func (p *stepEventPrinter) endTokens(pid kernel.PID) {
	if l := p.partial[pid]; l != nil && l.text.Len() > 0 {
		fmt.Fprintf(p.w, "%s: %s%s\n", l.step, tokenLabel, safeText(l.text.String()))
		l.text.Reset()
	}
}

// notice prints one line of aios's own.
func (p *stepEventPrinter) notice(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, line)
}

// flush prints every unfinished token line.
func (p *stepEventPrinter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for pid := range p.partial {
		p.endTokens(pid)
	}
}
