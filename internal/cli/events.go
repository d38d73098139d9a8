package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aiosys/aios/kernel"
)

// eventPrinter shows agents' log lines and streamed tokens as they happen. At a terminal tokens
// appear inline as they arrive; into a pipe they are collected into whole lines, so lines of
// agents running side by side never interleave mid-line.
type eventPrinter struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	tagged  bool // several agents: prefix each line with name[pid]
	partial map[kernel.PID]*strings.Builder
	inline  kernel.PID // terminal: the agent whose tokens are mid-line, or 0
	carry   string     // terminal: the end of the last token, held for the next (cutIncomplete)
}

func newEventPrinter(w io.Writer, tty, tagged bool) *eventPrinter {
	return &eventPrinter{w: w, tty: tty, tagged: tagged, partial: map[kernel.PID]*strings.Builder{}}
}

var levelNames = [...]string{"debug", "info", "warn", "error"}

// tokenLabel starts every line of streamed LLM text, as a level starts every log line: a line
// an agent prints never begins with "aios:".
const tokenLabel = "llm: "

func (p *eventPrinter) event(e kernel.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case kernel.EventToken:
		p.token(e)
	case kernel.EventLog:
		p.endTokens(e.PID)
		level := "info"
		if e.Level >= 0 && e.Level < len(levelNames) {
			level = levelNames[e.Level]
		}
		// One log call may hold several lines: each gets the prefix, so no line of the
		// agent's can pass for aios's own or another agent's.
		for _, line := range splitLines(e.Text) {
			fmt.Fprintf(p.w, "%s%s: %s\n", p.tag(e), level, safeText(line))
		}
	case kernel.EventExit:
		p.endTokens(e.PID)
	case kernel.EventRetry, kernel.EventFailover:
		// The kernel's own line, on one line of printable text (see dispatch.Notice).
		p.endTokens(e.PID)
		fmt.Fprintf(p.w, "%saios: %s\n", p.tag(e), safeText(e.Text))
	}
}

func (p *eventPrinter) token(e kernel.Event) {
	if p.tty && !p.tagged {
		var text string
		text, p.carry = cutIncomplete(p.carry + e.Text)
		for i, piece := range splitLF(text) {
			if i > 0 {
				fmt.Fprintln(p.w)
				p.inline = 0
			}
			if piece == "" {
				continue
			}
			if p.inline == 0 {
				fmt.Fprint(p.w, p.tag(e), tokenLabel)
				p.inline = e.PID
			}
			fmt.Fprint(p.w, safeText(piece))
		}
		return
	}
	b := p.partial[e.PID]
	if b == nil {
		b = &strings.Builder{}
		p.partial[e.PID] = b
	}
	b.WriteString(e.Text)
	s := b.String()
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		for _, line := range splitLF(s[:i]) {
			fmt.Fprintf(p.w, "%s%s%s\n", p.tag(e), tokenLabel, safeText(line))
		}
		b.Reset()
		b.WriteString(s[i+1:])
	}
}

// endTokens finishes pid's token line before anything else of pid is printed.
func (p *eventPrinter) endTokens(pid kernel.PID) {
	if p.carry != "" {
		if p.inline == 0 {
			fmt.Fprint(p.w, p.tagFor(pid), tokenLabel)
			p.inline = pid
		}
		fmt.Fprint(p.w, safeText(p.carry))
		p.carry = ""
	}
	if p.inline != 0 {
		fmt.Fprintln(p.w)
		p.inline = 0
	}
	if b := p.partial[pid]; b != nil && b.Len() > 0 {
		fmt.Fprintf(p.w, "%s%s%s\n", p.tagFor(pid), tokenLabel, safeText(b.String()))
		b.Reset()
	}
}

func (p *eventPrinter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for pid := range p.partial {
		p.endTokens(pid)
	}
	if p.carry != "" {
		p.endTokens(p.inline)
	}
	if p.inline != 0 {
		fmt.Fprintln(p.w)
		p.inline = 0
	}
}

// notice prints one line of aios's own at once, on a line of its own: a token line mid-way at a
// terminal is ended first, and continues on the next line.
func (p *eventPrinter) notice(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inline != 0 {
		fmt.Fprintln(p.w)
		p.inline = 0
	}
	fmt.Fprintln(p.w, line)
}

func (p *eventPrinter) tag(e kernel.Event) string {
	if !p.tagged {
		return ""
	}
	return fmt.Sprintf("%s[%d] ", safeText(e.Name), e.PID)
}

func (p *eventPrinter) tagFor(pid kernel.PID) string {
	if !p.tagged {
		return ""
	}
	return fmt.Sprintf("[%d] ", pid)
}
