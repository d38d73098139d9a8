package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/aiosys/aios/client"
)

// topStyles colour the view's lines; plainStyles leave them as they are (--once).
type topStyles struct {
	title, heading, selected, problem, dim lipgloss.Style
}

var (
	termStyles = topStyles{
		title:    lipgloss.NewStyle().Bold(true),
		heading:  lipgloss.NewStyle().Bold(true).Faint(true),
		selected: lipgloss.NewStyle().Reverse(true),
		problem:  lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
		dim:      lipgloss.NewStyle().Faint(true),
	}
	plainStyles = topStyles{}
)

// topLine is one line of the view before it is cut to the terminal's width and styled.
type topLine struct {
	text  string
	style *lipgloss.Style
	// row marks a run's row, which the view may scroll away; -1 for every other line.
	row int
}

// Widths of the cells that hold names a kernel or an agent chose, past which they are cut.
const (
	topNameWidth = 32
	topIDWidth   = 32
)

// render lays the view out for width × height cells (0: no bound) and styles it. Every text
// the kernel sent is made inert (safeText) first.
func (m *topModel) render(width, height int, st topStyles) string {
	var lines []topLine
	add := func(style *lipgloss.Style, format string, args ...any) {
		lines = append(lines, topLine{text: fmt.Sprintf(format, args...), style: style, row: -1})
	}
	tenant := "?"
	if m.fetched {
		tenant = safeText(m.snap.usage.Tenant)
	}
	updated := "never"
	if m.fetched {
		updated = m.snap.at.Format(time.TimeOnly)
	}
	add(&st.title, "aios top  %s  tenant %s  updated %s (every %s)", safeText(m.kernel), tenant, updated, m.interval)
	if m.err != nil {
		add(&st.problem, "refresh failed: %s; retrying every %s", safeText(m.err.Error()), m.interval)
	}
	if m.help {
		lines = append(lines, topHelp(st)...)
		return topCut(lines, width, height, -1)
	}
	if !m.fetched {
		add(&st.dim, "waiting for the kernel…")
		return topCut(lines, width, height, -1)
	}
	rows := m.rows()
	active := 0
	for _, r := range rows {
		if !client.Final(r.Status) {
			active++
		}
	}
	add(nil, "runs %d (%d active)  approvals pending %d  generations queued %d", len(rows), active, m.snap.approvals, m.snap.cores.Queued)
	add(nil, "")

	table := [][]string{{"", "RUN", "AGENT", "STATE", "ELAPSED", "TOKENS IN/OUT", "COST"}}
	for _, r := range rows {
		mark := " "
		if r.ID == m.selected {
			mark = ">"
		}
		tokens, cost := "-", "-"
		if r.Usage != nil {
			tokens = fmt.Sprintf("%d/%d", r.Usage.InputTokens, r.Usage.OutputTokens)
			cost = topDollars(r.Usage.Cost)
		}
		table = append(table, []string{mark, topCell(r.ID, topIDWidth), topCell(r.Name, topNameWidth), topCell(r.Status, 12),
			topElapsed(r, m.snap.at), tokens, cost})
	}
	selectedLine := -1
	for i, text := range topColumns(table) {
		l := topLine{text: text, row: i - 1}
		switch {
		case i == 0:
			l.style, l.row = &st.heading, -1
		case rows[i-1].ID == m.selected:
			l.style, selectedLine = &st.selected, len(lines)
		}
		lines = append(lines, l)
	}
	if len(rows) == 0 {
		add(&st.dim, "  no runs")
	}
	add(nil, "")

	table = [][]string{{"CORE", "KIND", "MODELS", "IN FLIGHT", "QUEUED", "TOKENS/S", "HEALTH"}}
	for _, c := range m.snap.cores.Cores {
		capacity := "∞"
		if c.Capacity > 0 {
			capacity = fmt.Sprint(c.Capacity)
		}
		health := safeText(c.Health)
		if c.Health == client.CoreCooling {
			health = fmt.Sprintf("cooling %s", (time.Duration(c.CooldownSeconds * float64(time.Second))).Round(time.Second))
		}
		if c.Failures > 0 {
			health += fmt.Sprintf(" (%d failed)", c.Failures)
		}
		models := "any"
		if len(c.Models) > 0 {
			models = strings.Join(c.Models, ",")
		}
		if c.Class != "" {
			models = c.Class + ": " + models
		}
		table = append(table, []string{topCell(c.Name, topNameWidth), topCell(c.Kind, 12), topCell(models, topNameWidth),
			fmt.Sprintf("%d/%s", c.InFlight, capacity),
			fmt.Sprint(c.Queued), fmt.Sprintf("%.1f", c.TokensPerSecond), health})
	}
	for i, text := range topColumns(table) {
		l := topLine{text: text, row: -1}
		if i == 0 {
			l.style = &st.heading
		}
		lines = append(lines, l)
	}
	add(nil, "")

	u := m.snap.usage
	add(nil, "usage   %d runs held, %d finished: %d calls (%d denied), %d generations, %d tool calls, tokens in/out %d/%d, cost %s",
		u.Runs, u.Finished, u.Usage.Calls, u.Usage.Denied, u.Usage.Generations, u.Usage.ToolCalls,
		u.Usage.InputTokens, u.Usage.OutputTokens, topDollars(u.Usage.Cost))
	b := u.Budget
	add(nil, "budget  %s: tokens %s, cost %s", topCell(b.Period, 12),
		topOfLimit(fmt.Sprint(b.TokensUsed), fmt.Sprint(b.TokensReserved), b.TokensLimit, fmt.Sprint(b.TokensLimit)),
		topOfLimit(topDollars(b.CostUsed), topDollars(b.CostReserved), b.CostLimit, topDollars(b.CostLimit)))
	add(nil, "")

	footer := "↑/↓ j/k select  x cancel run  ? help  q quit"
	style := &st.dim
	switch {
	case m.confirm != "":
		footer, style = fmt.Sprintf("cancel %s? y to confirm, any other key to keep it", safeText(m.confirm)), &st.problem
	case m.message != "":
		footer, style = safeText(m.message)+"   ("+footer+")", nil
	}
	add(style, "%s", footer)
	return topCut(lines, width, height, selectedLine)
}

// topHelp is the help screen's lines.
func topHelp(st topStyles) []topLine {
	var lines []topLine
	for _, text := range []string{
		"",
		"keys",
		"  up, k      select the run above",
		"  down, j    select the run below",
		"  x          cancel the selected run (y to confirm)",
		"  ?, esc     close this help",
		"  q, ctrl-c  quit",
		"",
		"runs are the token's tenant's; cores are shared by every tenant. TOKENS/S counts input",
		"and output over the last 10 s; QUEUED counts the generations waiting that a core may serve.",
	} {
		l := topLine{text: text, row: -1}
		if text == "keys" {
			l.style = &st.heading
		}
		lines = append(lines, l)
	}
	return lines
}

// topCut fits lines into width × height (0: no bound): rows of the runs table are dropped, keeping
// the selected line in view, until the view fits; then the last lines go. Each line is cut to
// the width and styled. The last line has no line break, which would take a line of its own.
func topCut(lines []topLine, width, height, selected int) string {
	if height > 0 && len(lines) > height {
		var rowLines []int
		for i, l := range lines {
			if l.row >= 0 {
				rowLines = append(rowLines, i)
			}
		}
		drop := map[int]bool{}
		excess := len(lines) - height
		// Drop rows after the selection from the bottom, then rows before it from the top.
		for i := len(rowLines) - 1; i >= 0 && excess > 0; i-- {
			if rowLines[i] > selected {
				drop[rowLines[i]], excess = true, excess-1
			}
		}
		for _, i := range rowLines {
			if excess == 0 {
				break
			}
			if i != selected && !drop[i] {
				drop[i], excess = true, excess-1
			}
		}
		kept := lines[:0:0]
		for i, l := range lines {
			if !drop[i] {
				kept = append(kept, l)
			}
		}
		lines = kept[:min(len(kept), height)]
	}
	var b strings.Builder
	for i, l := range lines {
		text := l.text
		if width > 0 {
			text = ansi.Truncate(text, width, "…")
			if l.style != nil && l.style.GetReverse() {
				text += strings.Repeat(" ", max(width-ansi.StringWidth(text), 0)) // a selected row is a full bar
			}
		}
		if l.style != nil {
			text = l.style.Render(text)
		}
		b.WriteString(text)
		if i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// topColumns lays rows of cells out in columns two spaces apart, each as wide as its widest cell.
func topColumns(rows [][]string) []string {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	out := make([]string, len(rows))
	for j, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
			}
		}
		out[j] = b.String()
	}
	return out
}

// topCell makes s inert (tabs too, which would break the columns) and cuts it to at most
// width cells.
func topCell(s string, width int) string {
	if s == "" {
		return "-"
	}
	return ansi.Truncate(cell(s), width, "…")
}

// topElapsed is how long the run has run (until now, for an active one), to the second.
func topElapsed(r client.Run, now time.Time) string {
	if r.Started == nil {
		return "-"
	}
	end := now
	if r.Ended != nil {
		end = *r.Ended
	}
	return max(end.Sub(*r.Started), 0).Round(time.Second).String()
}

// topDollars formats a cost in micro-dollars.
func topDollars(micro int64) string { return fmt.Sprintf("$%.4f", float64(micro)/1e6) }

// topOfLimit formats a use and a reservation against their limit (zero: none).
func topOfLimit(used, reserved string, limit int64, limitText string) string {
	s := used + " used + " + reserved + " reserved"
	if limit <= 0 {
		return s + ", no limit"
	}
	return s + " of " + limitText
}
