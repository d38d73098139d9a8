package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
)

// tmuxTerminal is a real terminal: a detached tmux session of its own server, 120 × 40 cells,
// whose screen the test reads and whose keyboard it types on.
type tmuxTerminal struct {
	t      *testing.T
	tmux   string
	server string // the -L name of the tmux server
}

// newTmuxTerminal runs script under sh in a new terminal.
func newTmuxTerminal(t *testing.T, script string) *tmuxTerminal {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatalf("tmux drives aios top in a real terminal: %v (install it: apt-get install tmux)", err)
	}
	term := &tmuxTerminal{t: t, tmux: tmux, server: fmt.Sprintf("aios-top-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", term.server, "kill-server").Run() })
	term.run("-f", "/dev/null", "new-session", "-d", "-s", "top", "-x", "120", "-y", "40", "sh", "-c", script)
	return term
}

// run runs a tmux command against the terminal's server.
func (term *tmuxTerminal) run(args ...string) string {
	term.t.Helper()
	cmd := exec.Command(term.tmux, append([]string{"-L", term.server}, args...)...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	out, err := cmd.CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen returns what the terminal shows now.
func (term *tmuxTerminal) screen() string { return term.run("capture-pane", "-p", "-t", "top") }

// keys types keys (tmux key names, e.g. "x", "Down", "C-c").
func (term *tmuxTerminal) keys(keys ...string) {
	term.run(append([]string{"send-keys", "-t", "top"}, keys...)...)
}

// waitFor polls the screen until it shows every one of texts, failing at the hang guard.
func (term *tmuxTerminal) waitFor(texts ...string) string {
	term.t.Helper()
	guard := time.Now().Add(hangGuard)
	for {
		s := term.screen()
		missing := ""
		for _, text := range texts {
			if !strings.Contains(s, text) {
				missing = text
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(guard) {
			term.t.Fatalf("the screen does not show %q after %s:\n%s", missing, hangGuard, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func TestTopInATerminalShowsCancelsAndQuits(t *testing.T) {
	aiosBin, err := exec.LookPath("aios") // the test binary as aios (TestMain)
	if err != nil {
		t.Fatal(err)
	}
	k := newRemoteKernel(t, slowCore, nil)
	ctx := context.Background()
	r, err := k.client().Submit(ctx, client.RunRequest{Module: mustRead(t, remoteFixture("generate")), Name: "slowgen"})
	if err != nil {
		t.Fatal(err)
	}
	remoteWait(t, "the generation in flight", func() bool {
		cores, err := k.client().Cores(ctx)
		return err == nil && len(cores.Cores) == 1 && cores.Cores[0].InFlight == 1
	})

	script := fmt.Sprintf("%s top --kernel %s --token %s --interval 200ms; echo \"top exited $?\"; stty -a; echo stty done; sleep 3600",
		shellQuote(aiosBin), shellQuote(k.url), shellQuote(k.token))
	term := newTmuxTerminal(t, script)
	// The run, the echo core with one request in flight of no bound, and the tenant.
	term.waitFor("aios top", "tenant alice", r.ID, "running", "echo", "1/∞", "approvals pending 0")

	term.keys("x")
	term.waitFor("cancel " + r.ID + "? y to confirm")
	term.keys("y")
	remoteWait(t, "the run canceled", func() bool {
		got, err := k.client().Run(ctx, r.ID)
		return err == nil && got.Status == client.StatusCanceled
	})
	term.waitFor("cancel asked for "+r.ID, "canceled")

	term.keys("?")
	term.waitFor("cancel the selected run (y to confirm)")
	term.keys("q")
	s := term.waitFor("top exited 0", "stty done")
	// bubbletea left the alternate screen and gave the terminal its modes back.
	if strings.Contains(s, "TOKENS IN/OUT") {
		t.Errorf("the view is still on the screen after q:\n%s", s)
	}
	for _, mode := range []string{"icanon", "echo"} {
		if !regexp.MustCompile(`(^|\s)` + mode + `(\s|$)`).MatchString(s) {
			t.Errorf("the terminal is not back in %s mode after q; stty -a:\n%s", mode, s)
		}
	}
}

func TestTopSurvivesATinyTerminal(t *testing.T) {
	aiosBin, err := exec.LookPath("aios")
	if err != nil {
		t.Fatal(err)
	}
	k := newRemoteKernel(t, "", nil)
	script := fmt.Sprintf("%s top --kernel %s --token %s --interval 100ms; echo \"exit $?\"; sleep 3600",
		shellQuote(aiosBin), shellQuote(k.url), shellQuote(k.token))
	term := newTmuxTerminal(t, script)
	term.waitFor("tenant alice")
	// Shrink the terminal under it, down to one cell, then grow it back: each time the view is
	// drawn again, cut to the new size.
	for _, size := range []struct{ x, y, shows string }{{"20", "4", "aios top  http://12…"}, {"1", "1", "…"}, {"120", "40", "q quit"}} {
		term.run("resize-window", "-t", "top", "-x", size.x, "-y", size.y)
		term.waitFor(size.shows)
	}
	term.keys("q")
	term.waitFor("exit 0")
}

// switchableProxy forwards to a kernel from an address of its own, which the test can take
// down (nothing listens: connections are refused) and bring back up.
type switchableProxy struct {
	t       *testing.T
	addr    string
	handler http.Handler
	srv     *http.Server
}

func newSwitchableProxy(t *testing.T, target string) *switchableProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &switchableProxy{t: t, handler: httputil.NewSingleHostReverseProxy(u)}
	p.up("127.0.0.1:0")
	t.Cleanup(p.down)
	return p
}

// up listens on addr (the proxy's own address again after down).
func (p *switchableProxy) up(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatalf("listen on %s: %v", addr, err)
	}
	p.addr = ln.Addr().String()
	p.srv = &http.Server{Handler: p.handler}
	go p.srv.Serve(ln)
}

// down stops listening and drops every connection.
func (p *switchableProxy) down() { _ = p.srv.Close() }

func TestTopInATerminalRidesOutAKernelOutage(t *testing.T) {
	aiosBin, err := exec.LookPath("aios")
	if err != nil {
		t.Fatal(err)
	}
	k := newRemoteKernel(t, "", nil)
	proxy := newSwitchableProxy(t, k.url)
	script := fmt.Sprintf("%s top --kernel %s --token %s --interval 100ms; echo \"exit $?\"; sleep 3600",
		shellQuote(aiosBin), shellQuote("http://"+proxy.addr), shellQuote(k.token))
	term := newTmuxTerminal(t, script)
	term.waitFor("tenant alice", "CORE")
	proxy.down()
	term.waitFor("refresh failed", "dial tcp", "tenant alice") // the last snapshot stays
	proxy.up(proxy.addr)
	guard := time.Now().Add(hangGuard)
	for strings.Contains(term.screen(), "refresh failed") {
		if time.Now().After(guard) {
			t.Fatalf("top still shows the outage %s after the kernel came back:\n%s", hangGuard, term.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	term.keys("q")
	term.waitFor("exit 0")
}
