package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aiosys/aios/client"
)

// consoleTOML makes generations wait for an operator (confirm.rego) and denies the agent
// named "blocked" its generations (block.rego).
const consoleTOML = "[policy]\npaths = [\"confirm.rego\", \"block.rego\"]\n[[policy.grants]]\nagent = \"*\"\nmodels = [\"*\"]\nclasses = [\"*\"]\n"

var consoleFiles = map[string]string{"confirm.rego": confirmRego, "block.rego": `package aios.policy

deny contains "the agent blocked may not generate" if {
	input.call == "llm_generate"
	input.agent.name == "blocked"
}
`}

func TestConsoleFilesArePublicWithStrictHeaders(t *testing.T) {
	s, _, _ := twoTenants(t, "", nil, Options{})
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(s.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	for path, ctype := range map[string]string{
		"/": "text/html", "/console/app.js": "text/javascript", "/console/console.css": "text/css",
		"/console/favicon.svg": "image/svg+xml",
	} {
		resp, body := get(path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) {
			t.Errorf("GET %s without a token: %d %s, want 200 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), ctype)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("GET %s: Content-Security-Policy %q allows inline or eval'd script", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff", path, resp.Header.Get("X-Content-Type-Options"))
		}
		if path == "/" && (!strings.Contains(body, `<script type="module" src="/console/app.js">`) || strings.Contains(body, "<script>")) {
			t.Errorf("the page does not load its script from /console/app.js alone:\n%s", body)
		}
	}
	for _, path := range []string{"/console/", "/console/index.html", "/console/nope.js", "/console/../server.go", "/nope"} {
		if resp, _ := get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	// The API behind it still asks for a token.
	if _, err := s.client("").Runs(context.Background()); err == nil {
		t.Fatal("GET /v1/runs without a token succeeded")
	} else if e, ok := err.(*client.Error); !ok || e.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /v1/runs without a token: %v, want 401", err)
	}
}

// TestConsoleInBrowser drives the console in a real headless Chromium against a real server:
// sign-in, the runs list (another tenant's run absent), a run's live log with hostile text
// shown as text, an approval granted by clicking Approve, the run then finishing, and the
// audit log filtered.
func TestConsoleInBrowser(t *testing.T) {
	hello := sampleAgent(t, "hello")
	s, alice, bob := twoTenants(t, consoleTOML, consoleFiles, Options{})
	a, b := s.client(alice), s.client(bob)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()

	bobs := submit(t, b, "minimal", "")
	waitFinal(t, b, bobs.ID)
	minimal := submit(t, a, "minimal", "")
	blocked, err := a.Submit(ctx, client.RunRequest{Module: fixture(t, "generate"), Name: "blocked"})
	if err != nil {
		t.Fatal(err)
	}
	if r := waitFinal(t, a, blocked.ID); r.Status != client.StatusFailed {
		t.Fatalf("blocked = %+v, want failed (its generation denied)", r)
	}
	waitFinal(t, a, minimal.ID)

	br := newBrowser(t)
	br.do("open the console", chromedp.Navigate(s.ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("login-token")))
	br.do("sign in with a wrong token", chromedp.SendKeys(chromedp.ID("login-token"), "aios_not_a_token"),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("login-error")))
	br.do("sign in", chromedp.SendKeys(chromedp.ID("login-token"), alice), chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitNotVisible(chromedp.ID("login")))
	br.waitFor("the tenant's name", `document.getElementById('tenant').textContent === 'tenant alice'`)
	if v := br.eval(`sessionStorage.getItem('aios.token') === ` + jsString(alice) + ` && !location.href.includes(` + jsString(alice) + `)`); v != true {
		t.Fatal("the token is not kept in sessionStorage alone")
	}

	row := func(id string) string {
		return `document.querySelector('#runs-body tr` + cssAttr("data-run-id", id) + `')`
	}
	br.waitFor("the runs", row(minimal.ID)+` && `+row(blocked.ID)+`.querySelector('.badge').textContent === 'failed'`)
	if v := br.eval(row(bobs.ID) + ` === null`); v != true {
		t.Fatal("alice's console lists bob's run")
	}

	// A run whose log holds markup and a terminal escape; its generation waits for approval.
	input := `<img src=x id=pwned onerror="document.title='pwned'"> ` + "\x1b[31mred\x1b[0m"
	run, err := a.Submit(ctx, client.RunRequest{Module: hello, Name: "hello", Input: input})
	if err != nil {
		t.Fatal(err)
	}
	br.waitFor("the new run", row(run.ID))
	br.do("open the run", chromedp.Click(chromedp.CSS(`#runs-body tr`+cssAttr("data-run-id", run.ID)+` a`)))
	br.waitFor("the run's log", `document.getElementById('run-log').textContent.includes('asking: <img src=x id=pwned')`)
	br.waitFor("the approval on the run's log", `document.querySelector('#run-log .line.approval') !== null`)
	ap := waitApproval(t, a)
	if ap.RunID != run.ID {
		t.Fatalf("approval = %+v, want one for %s", ap, run.ID)
	}

	approve := `button` + cssAttr("data-approval", ap.ID) + cssAttr("data-answer", "approve")
	br.do("the approvals", chromedp.Click(chromedp.ID("tab-approvals")),
		chromedp.WaitVisible(chromedp.CSS(`#approvals-body `+approve)))
	br.screenshot("console-approvals.png")
	br.do("approve", chromedp.Click(chromedp.CSS(`#approvals-body `+approve)))
	if done := waitFinal(t, a, run.ID); done.Status != client.StatusExited || done.Usage.Generations != 1 {
		t.Fatalf("approved run = %+v, want exited after one generation", done)
	}
	br.waitFor("the approval gone", `document.getElementById('approvals-empty').hidden === false`)

	br.do("back to the run", chromedp.Click(chromedp.ID("tab-runs")),
		chromedp.Click(chromedp.CSS(`#runs-body tr`+cssAttr("data-run-id", run.ID)+` a`)))
	br.waitFor("the run's end", `document.getElementById('run-status').textContent === 'exited' &&
		document.getElementById('run-log').textContent.includes('exited (exit code 0)')`)
	br.waitFor("the token stream", `document.getElementById('run-tokens').textContent.length > 0`)
	if v := br.eval(`document.getElementById('pwned') === null && document.title !== 'pwned' &&
		document.getElementById('run-log').textContent.includes('\\u001b[31mred')`); v != true {
		t.Fatal("the run's log was not shown as escaped text")
	}
	br.screenshot("console-runs.png")

	// The audit log: denials only, then one run's generations.
	br.do("the audit log", chromedp.Click(chromedp.ID("tab-audit")),
		chromedp.SetValue(chromedp.ID("audit-decision"), "deny"), chromedp.Click(chromedp.ID("audit-apply")))
	br.waitFor("the denials", `(() => { const rows = [...document.querySelectorAll('#audit-body tr')];
		return rows.length > 0 && rows.every(r => r.dataset.decision === 'deny') &&
			rows.some(r => r.textContent.includes('the agent blocked may not generate')); })()`)
	br.eval(`document.getElementById('audit-decision').selectedIndex = 0`) // "any"
	br.do("every decision", chromedp.Click(chromedp.ID("audit-apply")))
	br.waitFor("every decision", `document.querySelectorAll('#audit-body tr[data-decision="allow"]').length > 0 &&
		document.querySelectorAll('#audit-body tr[data-decision="deny"]').length > 0`)
	br.screenshot("console-audit.png")
	br.do("one run's generations", chromedp.SendKeys(chromedp.ID("audit-run"), run.ID),
		chromedp.SendKeys(chromedp.ID("audit-call"), "llm_generate"), chromedp.Click(chromedp.ID("audit-apply")))
	br.waitFor("the run's generation", `(() => { const rows = [...document.querySelectorAll('#audit-body tr')];
		return rows.length === 1 && rows[0].dataset.decision === 'allow' && rows[0].textContent.includes('confirm'); })()`)

	br.do("the usage", chromedp.Click(chromedp.ID("tab-usage")))
	br.waitFor("the usage", `document.getElementById('usage-cards').textContent.includes('Generations')`)
	br.screenshot("console-usage.png")

	if errs := br.pageErrors(); len(errs) > 0 {
		t.Fatalf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestConsoleKeepsABoundedLog opens, on a server without tokens (no sign-in), a run that
// writes 100000 log lines while the page follows it (a small stream queue, so a page that falls
// behind is dropped and resumes with Last-Event-ID): the page keeps the newest 2000 lines, says
// how many it let go, and shows the run's end.
func TestConsoleKeepsABoundedLog(t *testing.T) {
	s := newTestServer(t, floodTOML, nil, Options{SubscriberQueue: 64})
	c := s.client("")
	br := newBrowser(t)
	br.do("open the console", chromedp.Navigate(s.ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("runs-title")))
	br.waitFor("the tenant's name", `document.getElementById('tenant').textContent === 'tenant default'`)
	if v := br.eval(`document.getElementById('login').hidden && document.getElementById('sign-out').hidden`); v != true {
		t.Fatal("a server without tokens asks for one")
	}
	run := submit(t, c, "stdoutflood", "")
	br.do("follow the run", chromedp.Navigate(s.ts.URL+"/#/runs/"+run.ID), chromedp.WaitVisible(chromedp.ID("run-log")))
	waitFinal(t, c, run.ID)
	br.waitFor("the run's end", `document.getElementById('run-log').textContent.includes('exited (exit code 0)')`)
	if v := br.eval(`document.querySelectorAll('#run-log .line:not(.dropped)').length === 2000 &&
		/[0-9,]+ earlier lines not kept/.test(document.querySelector('#run-log .line.dropped').textContent)`); v != true {
		t.Fatalf("the page keeps %v log lines, want the newest 2000 and a note of the rest",
			br.eval(`document.querySelectorAll('#run-log .line').length`))
	}
	if errs := br.pageErrors(); len(errs) > 0 {
		t.Fatalf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
