package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/config"
)

func TestTopOncePrintsOneSnapshot(t *testing.T) {
	k := newRemoteKernel(t, slowCore, nil)
	r, err := k.client().Submit(context.Background(), client.RunRequest{Module: mustRead(t, remoteFixture("generate")), Name: "slowgen"})
	if err != nil {
		t.Fatal(err)
	}
	k.onlyRun(client.StatusRunning)
	remoteWait(t, "the generation in flight", func() bool {
		cores, err := k.client().Cores(context.Background())
		return err == nil && cores.Cores[0].InFlight == 1
	})
	code, out, errOut := k.aios("top", "--once")
	if code != 0 {
		t.Fatalf("top --once: exit %d; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"tenant alice", r.ID, "slowgen", "running", "echo", "1/∞", "approvals pending 0", "budget  lifetime"} {
		if !strings.Contains(out, want) {
			t.Errorf("top --once lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("top --once printed escape sequences:\n%q", out)
	}
}

func TestTopNeedsATerminal(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	code, _, errOut := k.aios("top")
	if code != ExitUsage || !strings.Contains(errOut, "aios ps --json") || !strings.Contains(errOut, "--once") {
		t.Fatalf("top without a terminal: exit %d, want 64 and a pointer to ps --json and --once; stderr:\n%s", code, errOut)
	}
}

func TestTopRefusesATooShortInterval(t *testing.T) {
	for _, interval := range []string{"-1s", "0s", "1ns"} {
		code, _, errOut := (&remoteKernel{url: "http://127.0.0.1:1", t: t}).aios("top", "--once", "--interval", interval)
		if code != ExitUsage || !strings.Contains(errOut, "--interval") {
			t.Errorf("--interval %s: exit %d, want 64; stderr:\n%s", interval, code, errOut)
		}
	}
}

func TestTopOnceReportsAnUnreachableKernel(t *testing.T) {
	ts := httptest.NewServer(nil)
	url := ts.URL
	ts.Close()
	code, _, errOut := (&remoteKernel{url: url, t: t}).aios("top", "--once")
	if code != ExitUnavailable || !strings.Contains(errOut, "reach the kernel") {
		t.Fatalf("top --once against no kernel: exit %d, want 69; stderr:\n%s", code, errOut)
	}
}

// topFixture is a model holding a snapshot of n runs whose names are hostile, as if read from
// a kernel.
func topFixture(n int) *topModel {
	m := newTopModel(context.Background(), client.New("http://127.0.0.1:1", ""), "http://kernel\x1b]0;pwned\a", time.Second)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	started := now.Add(-90 * time.Second)
	for i := range n {
		m.snap.runs = append(m.snap.runs, client.Run{ID: fmt.Sprintf("run_%d", i), Name: "evil\x1b[2J\r\n\u202e" + strings.Repeat("名", 100),
			Status: client.StatusRunning, Started: &started, Usage: &client.Usage{InputTokens: 1 << 40, OutputTokens: -5, Cost: 1234}})
	}
	m.snap.cores = client.CoreReport{Queued: 3, Cores: []client.Core{{Name: "core\x1b[31m", Kind: "echo", Class: "fast", Models: []string{"m1", "m\x1b2"}, Capacity: 4, InFlight: 2,
		Health: client.CoreCooling, CooldownSeconds: 12.4, Failures: 3, TokensPerSecond: 42.25}}}
	m.snap.usage = client.TenantUsage{Tenant: "t\nx", Budget: client.Budget{Period: "daily", TokensLimit: 1000, TokensUsed: 10}}
	m.snap.at, m.fetched = now, true
	m.keepSelection()
	return m
}

func TestTopViewFitsAnyTerminal(t *testing.T) {
	m := topFixture(50)
	m.selected = "run_30"
	for _, size := range [][2]int{{0, 0}, {1, 1}, {2, 1}, {5, 3}, {20, 5}, {80, 10}, {80, 24}, {200, 100}, {-3, -7}} {
		width, height := size[0], size[1]
		view := m.render(width, height, termStyles)
		lines := strings.Split(view, "\n")
		if height > 0 && len(lines) > height {
			t.Errorf("%dx%d: %d lines", width, height, len(lines))
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); width > 0 && w > width {
				t.Errorf("%dx%d: a line %d cells wide: %q", width, height, w, l)
			}
		}
		if plain := ansi.Strip(view); strings.ContainsAny(plain, "\x1b\r\a\u202e") {
			t.Errorf("%dx%d: the kernel's text reached the terminal raw: %q", width, height, plain)
		}
		if height >= 8 && width >= 40 && !strings.Contains(view, "run_30") {
			t.Errorf("%dx%d: the selected run is not in view:\n%s", width, height, view)
		}
	}
	plain := m.render(0, 0, plainStyles)
	for _, want := range []string{`evil\x1b[2J\r\n\u202e`, `core\x1b[31m`, `tenant t\nx`, "2/4", "cooling 12s (3 failed)", "42.2", "1m30s",
		"$0.0012", "tokens 10 used + 0 reserved of 1000", "generations queued 3", `fast: m1,m\x1b2`} {
		if !strings.Contains(plain, want) {
			t.Errorf("the view lacks %q:\n%s", want, plain)
		}
	}
}

// press sends the keys to m one by one, as bubbletea would, and returns the last command.
func press(m *topModel, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		switch k {
		case "up":
			msg = tea.KeyMsg{Type: tea.KeyUp}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "ctrl+c":
			msg = tea.KeyMsg{Type: tea.KeyCtrlC}
		}
		_, cmd = m.Update(msg)
	}
	return cmd
}

func TestTopKeysSelectConfirmAndQuit(t *testing.T) {
	m := topFixture(3)
	if m.selected != "run_0" {
		t.Fatalf("selected %q at first, want the first run", m.selected)
	}
	press(m, "down", "j", "j", "down")
	if m.selected != "run_2" {
		t.Fatalf("selected %q after going down past the end, want the last run", m.selected)
	}
	press(m, "up", "k", "k")
	if m.selected != "run_0" {
		t.Fatalf("selected %q after going up past the top, want the first run", m.selected)
	}
	if cmd := press(m, "x"); cmd != nil || m.confirm != "run_0" || !strings.Contains(m.render(0, 0, plainStyles), "cancel run_0? y to confirm") {
		t.Fatalf("x: confirm %q, want a question about run_0 and nothing sent", m.confirm)
	}
	if cmd := press(m, "n"); cmd != nil || m.confirm != "" || m.message != "not canceled" {
		t.Fatalf("n after x: confirm %q, message %q; want the cancel dropped", m.confirm, m.message)
	}
	press(m, "?")
	if !strings.Contains(m.render(0, 0, plainStyles), "cancel the selected run") {
		t.Fatalf("? shows no help")
	}
	press(m, "?")
	for _, key := range []string{"q", "ctrl+c"} {
		cmd := press(m, key)
		if cmd == nil {
			t.Fatalf("%s: no command, want quit", key)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Fatalf("%s does not quit", key)
		}
	}
}

func TestTopCancelsTheSelectedRun(t *testing.T) {
	k := newRemoteKernel(t, slowCore, nil)
	c := k.client()
	r, err := c.Submit(context.Background(), client.RunRequest{Module: mustRead(t, remoteFixture("generate")), Name: "slowgen"})
	if err != nil {
		t.Fatal(err)
	}
	k.onlyRun(client.StatusRunning)
	m := newTopModel(context.Background(), c, k.url, time.Second)
	m.Update(m.fetch())
	if m.selected != r.ID {
		t.Fatalf("selected %q, want the run %s", m.selected, r.ID)
	}
	cmd := press(m, "x", "y")
	if cmd == nil {
		t.Fatal("x y sent no cancel")
	}
	m.Update(cmd())
	if !strings.Contains(m.message, "cancel asked for "+r.ID) {
		t.Fatalf("message %q after the cancel", m.message)
	}
	remoteWait(t, "the run canceled", func() bool {
		got, err := c.Run(context.Background(), r.ID)
		return err == nil && got.Status == client.StatusCanceled
	})
	m.Update(m.fetch())
	if cmd := press(m, "x"); cmd != nil || m.confirm != "" || !strings.Contains(m.message, "already ended") {
		t.Fatalf("x on an ended run: confirm %q, message %q; want it refused", m.confirm, m.message)
	}
}

func TestTopKeepsTryingWhenTheKernelGoesAway(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	m := newTopModel(context.Background(), k.client(), k.url, time.Second)
	if _, cmd := m.Update(m.fetch()); cmd == nil || m.err != nil || !m.fetched {
		t.Fatalf("first refresh: err %v, want a snapshot and the next refresh scheduled", m.err)
	}
	m.c = client.New("http://127.0.0.1:1", k.token) // nothing listens there
	_, cmd := m.Update(m.fetch())
	if cmd == nil || m.err == nil {
		t.Fatalf("refresh against no kernel: err %v; want the error kept and the next refresh scheduled", m.err)
	}
	view := m.render(80, 24, plainStyles)
	if !strings.Contains(view, "refresh failed") || !strings.Contains(view, "tenant alice") {
		t.Fatalf("the view does not show the error over the last snapshot:\n%s", view)
	}
	m.c = k.client()
	m.Update(m.fetch())
	if m.err != nil || strings.Contains(m.render(80, 24, plainStyles), "refresh failed") {
		t.Fatalf("after the kernel is back: err %v", m.err)
	}
}

func TestTopNamesAKernelFoundInConfig(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(k.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "aios.toml")
	if err := os.WriteFile(cfg, []byte("[remote]\nkernel = \""+k.url+"\"\ntoken_file = \"token\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.EnvConfig, cfg)
	var out, errOut bytes.Buffer
	if code := Main([]string{"top", "--once"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("top --once with [remote]: exit %d; stderr:\n%s", code, errOut.String())
	}
	if header, _, _ := strings.Cut(out.String(), "\n"); !strings.Contains(header, "aios top  "+k.url+"  tenant alice") {
		t.Fatalf("the header does not name the kernel from [remote]: %q", header)
	}
}
