package server

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvChromium names the Chrome or Chromium binary the console's browser test drives; unset,
// chromium is looked up on PATH (scripts/ensure-chromium.sh installs it).
const EnvChromium = "AIOS_CHROMIUM"

// EnvScreenshots, when set to a directory, makes the console's browser test write its
// screenshots there (make screenshots: docs/console-*.png).
const EnvScreenshots = "AIOS_CONSOLE_SCREENSHOTS"

// chromiumPath finds the browser; not finding one fails the test: it never skips.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(EnvChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no Chromium found for the web console's browser test: run scripts/ensure-chromium.sh (make deps), or set %s", EnvChromium)
	return ""
}

// browser is a headless Chromium tab and what its console reported.
type browser struct {
	ctx context.Context
	t   *testing.T

	mu     sync.Mutex
	errors []string // exceptions and error messages other than failed requests
}

// newBrowser starts a headless Chromium for the test; it is stopped when the test ends.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.WindowSize(1440, 900),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium's sandbox does not run as root
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	b := &browser{ctx: ctx, t: t}
	start, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // a hang guard for the browser's start, which Run may not time out itself
		select {
		case <-start.Done():
		case <-time.After(hangGuard):
			cancelAlloc()
		}
	}()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	cancel()
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if (m.Type == chromedp.ConsoleError || m.IsException()) && m.Source != "network" {
				b.mu.Lock()
				b.errors = append(b.errors, m.String())
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// do runs steps in the tab, each wait bounded by the hang guard.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, hangGuard)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %s: %v\npage errors: %v", what, err, b.pageErrors())
	}
}

// waitFor waits until the JavaScript expression is truthy.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	b.do(what, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(hangGuard), chromedp.WithPollingInterval(50*time.Millisecond)))
}

// eval returns the value of a JavaScript expression.
func (b *browser) eval(expr string) any {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, hangGuard)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		b.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

// screenshot writes the viewport to DIR/name when EnvScreenshots names a directory.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv(EnvScreenshots)
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, hangGuard)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) pageErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string { return fmt.Sprintf("%q", s) }

// cssAttr is an attribute selector for value, which is an id of ours (letters, digits, '_').
func cssAttr(name, value string) string {
	if strings.ContainsAny(value, `"\`) {
		panic("unexpected id " + value)
	}
	return fmt.Sprintf(`[%s="%s"]`, name, value)
}
