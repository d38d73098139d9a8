package cli

import (
	"context"
	"fmt"
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aiosys/aios/client"
)

// topModel is `aios top`'s state: the last snapshot read, the last error, the selected run and
// the prompt or message in the footer. It is a bubbletea model.
type topModel struct {
	ctx      context.Context
	c        *client.Client
	kernel   string
	interval time.Duration

	snap    topSnapshot
	fetched bool  // snap holds a snapshot
	err     error // the last refresh's error; nil when it succeeded

	selected string // the selected run's id
	confirm  string // the run whose cancel waits for y, or ""
	message  string // the outcome of the last action
	help     bool

	width, height int
}

// Messages of the refresh loop and of cancels.
type (
	topTickMsg    struct{}
	topFetchedMsg struct {
		snap topSnapshot
		err  error
	}
	topCanceledMsg struct {
		id  string
		run client.Run
		err error
	}
)

func newTopModel(ctx context.Context, c *client.Client, kernel string, interval time.Duration) *topModel {
	return &topModel{ctx: ctx, c: c, kernel: kernel, interval: interval}
}

// Init starts the first refresh.
func (m *topModel) Init() tea.Cmd { return m.fetch }

func (m *topModel) fetch() tea.Msg {
	snap, err := fetchTop(m.ctx, m.c)
	return topFetchedMsg{snap: snap, err: err}
}

// Update handles keys, terminal sizes, refreshes and cancels.
func (m *topModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case topFetchedMsg:
		m.err = msg.err
		if msg.err == nil {
			m.snap, m.fetched = msg.snap, true
			m.keepSelection()
		}
		return m, tea.Tick(m.interval, func(time.Time) tea.Msg { return topTickMsg{} })
	case topTickMsg:
		return m, m.fetch
	case topCanceledMsg:
		if msg.err != nil {
			m.message = fmt.Sprintf("cancel %s: %s", msg.id, msg.err)
		} else {
			m.message = fmt.Sprintf("cancel asked for %s (status %s)", msg.id, msg.run.Status)
		}
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

// key handles one key press.
func (m *topModel) key(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch s := k.String(); {
	case s == "ctrl+c" || s == "q":
		return m, tea.Quit
	case m.confirm != "":
		id := m.confirm
		m.confirm = ""
		if s != "y" && s != "Y" {
			m.message = "not canceled"
			return m, nil
		}
		m.message = "canceling " + id + "…"
		return m, func() tea.Msg {
			ctx, cancel := context.WithTimeout(m.ctx, topFetchTimeout)
			defer cancel()
			r, err := m.c.Cancel(ctx, id)
			return topCanceledMsg{id: id, run: r, err: err}
		}
	case s == "?":
		m.help = !m.help
	case s == "esc":
		m.help = false
	case s == "up" || s == "k":
		m.move(-1)
	case s == "down" || s == "j":
		m.move(1)
	case s == "x":
		r, ok := m.selectedRun()
		switch {
		case !ok:
			m.message = "no run selected"
		case client.Final(r.Status):
			m.message = r.ID + " has already ended"
		default:
			m.confirm = r.ID
		}
	}
	return m, nil
}

// rows returns the runs in the order the view lists them: active runs first, oldest first,
// then ended runs, most recent first.
func (m *topModel) rows() []client.Run {
	var active, ended []client.Run
	for _, r := range m.snap.runs {
		if client.Final(r.Status) {
			ended = append(ended, r)
		} else {
			active = append(active, r)
		}
	}
	slices.Reverse(ended)
	return append(active, ended...)
}

// selectedIndex returns the selected run's row, or -1.
func (m *topModel) selectedIndex(rows []client.Run) int {
	return slices.IndexFunc(rows, func(r client.Run) bool { return r.ID == m.selected })
}

func (m *topModel) selectedRun() (client.Run, bool) {
	rows := m.rows()
	if i := m.selectedIndex(rows); i >= 0 {
		return rows[i], true
	}
	return client.Run{}, false
}

// move moves the selection by delta rows, staying within the list.
func (m *topModel) move(delta int) {
	rows := m.rows()
	if len(rows) == 0 {
		return
	}
	i := min(max(m.selectedIndex(rows)+delta, 0), len(rows)-1)
	m.selected = rows[i].ID
}

// keepSelection selects the first row when the selected run is gone (or none was selected).
func (m *topModel) keepSelection() {
	rows := m.rows()
	if len(rows) > 0 && m.selectedIndex(rows) < 0 {
		m.selected = rows[0].ID
	}
}

// View renders the model for the terminal's size.
func (m *topModel) View() string { return m.render(m.width, m.height, termStyles) }
