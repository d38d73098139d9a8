package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/server"
)

// remoteKernel is a real kernel served over loopback for the remote commands' tests, with the
// tenant alice and her token.
type remoteKernel struct {
	url   string
	token string
	t     *testing.T
}

// newRemoteKernel serves a kernel whose aios.toml is extraTOML (with a data directory of its
// own), files written beside it first.
func newRemoteKernel(t *testing.T, extraTOML string, files map[string]string) *remoteKernel {
	t.Helper()
	return newRemoteKernelWith(t, extraTOML, files, nil)
}

// newRemoteKernelWith is newRemoteKernel with the server's options adjusted by adjust (nil:
// none) after the test's own are set.
func newRemoteKernelWith(t *testing.T, extraTOML string, files map[string]string, adjust func(*server.Options)) *remoteKernel {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "aios.toml")
	if err := os.WriteFile(path, []byte("data_dir = \""+filepath.Join(dir, "data")+"\"\n"+extraTOML), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sys, err := aios.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	token, line, err := server.NewToken("alice")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := server.ParseTokens(strings.NewReader(line + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	opts := server.Options{Tokens: tokens, Limits: cfg.Limits}
	if adjust != nil {
		adjust(&opts)
	}
	srv := server.New(sys, opts)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ended, cancel := context.WithCancel(context.Background())
		cancel() // no grace: cancel what still runs
		_ = srv.Shutdown(ended)
		ts.Close()
		if err := sys.Close(context.Background()); err != nil {
			t.Errorf("close the system: %v", err)
		}
	})
	// The environment must not name another kernel or token for the commands.
	t.Setenv(EnvKernel, "")
	t.Setenv(EnvToken, "")
	return &remoteKernel{url: ts.URL, token: token, t: t}
}

// aios runs the CLI in-process against the kernel and returns its exit code and streams.
func (k *remoteKernel) aios(args ...string) (code int, stdout, stderr string) {
	k.t.Helper()
	args = append(args, "--kernel", k.url, "--token", k.token)
	var out, errOut bytes.Buffer
	code = Main(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func (k *remoteKernel) client() *client.Client { return client.New(k.url, k.token) }

// remoteFixture is the path of the repository's testdata/NAME.wasm.
func remoteFixture(name string) string { return filepath.Join("..", "..", "testdata", name+".wasm") }

// remoteWait polls until check holds for the runs or approvals, failing at the hang guard.
func remoteWait(t *testing.T, what string, check func() bool) {
	t.Helper()
	guard := time.Now().Add(hangGuard)
	for !check() {
		if time.Now().After(guard) {
			t.Fatalf("%s: not after %s", what, hangGuard)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// onlyRun returns the one run the tenant has, waiting for it to be submitted.
func (k *remoteKernel) onlyRun(status string) client.Run {
	k.t.Helper()
	var r client.Run
	remoteWait(k.t, "a run "+status, func() bool {
		runs, err := k.client().Runs(context.Background())
		if err != nil {
			k.t.Fatal(err)
		}
		if len(runs) == 1 && (status == "" || runs[0].Status == status) {
			r = runs[0]
			return true
		}
		return false
	})
	return r
}

func TestRemoteRunPrintsOutputAndSummary(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	code, out, errOut := k.aios("run", remoteFixture("minimal"))
	if code != 0 || out != "hello from wasm\n" {
		t.Fatalf("exit %d, stdout %q; stderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "aios: minimal[run_") || !strings.Contains(errOut, "exited 0") {
		t.Fatalf("stderr lacks the summary:\n%s", errOut)
	}
}

func TestRemoteRunGenerateShowsUsage(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	code, out, errOut := k.aios("run", remoteFixture("generate"))
	if code != 0 || out == "" {
		t.Fatalf("exit %d, stdout %q; stderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "exited 0") || !strings.Contains(errOut, "1 generation") {
		t.Fatalf("stderr lacks the summary with the generation:\n%s", errOut)
	}
}

// streamFixture is the server's test agent that streams a generation: it copies its input to
// the output, asks the LLM with "stream": true and exits 7.
var streamFixture = filepath.Join("..", "..", "server", "testdata", "stream.wasm")

func TestRemoteRunStreamsTokensAndPassesInput(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	code, out, errOut := k.aios("run", streamFixture, "--input", "stream me")
	if code != 7 || !strings.Contains(out, "stream me") {
		t.Fatalf("exit %d, want 7; stdout %q; stderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "llm: ") || !strings.Contains(errOut, "exited 7 (the agent's own exit code)") {
		t.Fatalf("stderr lacks the tokens or the summary:\n%s", errOut)
	}
}

func TestRemoteRunExitsWithTheAgentsCode(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	// rogue logs hostile text, writes output, then exits 72 on its own.
	code, out, errOut := k.aios("run", remoteFixture("rogue"))
	if code != 72 {
		t.Fatalf("exit %d, want 72; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "exited 72 (the agent's own exit code)") || !strings.Contains(errOut, "info: a\n") {
		t.Fatalf("stderr lacks the log line or the summary:\n%s", errOut)
	}
	if strings.Contains(errOut, "\x1b") || !strings.HasPrefix(out, "a\naios: fake") {
		t.Fatalf("stderr holds an escape, or stdout is not the output byte for byte: %q / %q", errOut, out)
	}
}

func TestRemoteRunPassesInputArgsAndLimits(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	// loop never ends: the wall-time limit asked for does, and it is a limit (72), not a trap.
	code, _, errOut := k.aios("run", remoteFixture("loop"), "--timeout", "300ms", "--input", "x", "-e", "A=b", "--", "one")
	if code != ExitLimit || !strings.Contains(errOut, "limit exceeded") {
		t.Fatalf("exit %d, want 72 for a limit; stderr:\n%s", code, errOut)
	}
}

func TestRemoteRunRefusedModuleAndMissingFile(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	if code, _, errOut := k.aios("run", remoteFixture("forbidden")); code != ExitRefused || !strings.Contains(errOut, "module refused") {
		t.Fatalf("forbidden module: exit %d, want 65; stderr:\n%s", code, errOut)
	}
	if code, _, errOut := k.aios("run", "nothere.wasm"); code != ExitNoInput || !strings.Contains(errOut, "no such file") {
		t.Fatalf("missing file: exit %d, want 66; stderr:\n%s", code, errOut)
	}
}

func TestRemoteRunRefusesLocalOnlyFlags(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	for _, flag := range [][]string{{"--replicas", "2"}, {"--config", "x.toml"}, {"--json"}, {"--tenant", "bob"}} {
		code, _, errOut := k.aios(append([]string{"run", remoteFixture("minimal")}, flag...)...)
		if code != ExitUsage || !strings.Contains(errOut, flag[0]+": not for a remote run") {
			t.Errorf("%v: exit %d, want 64; stderr:\n%s", flag, code, errOut)
		}
	}
}

func TestRemoteWrongTokenIsRefused(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	k.token = "aios_0000"
	for _, args := range [][]string{{"ps"}, {"run", remoteFixture("minimal")}} {
		code, _, errOut := k.aios(args...)
		if code != ExitNoPerm || !strings.Contains(errOut, "401") || !strings.Contains(errOut, "AIOS_TOKEN") {
			t.Errorf("%v with a wrong token: exit %d, want 77; stderr:\n%s", args, code, errOut)
		}
	}
}

func TestRemoteCommandsNeedAKernel(t *testing.T) {
	t.Setenv(EnvKernel, "")
	for _, args := range [][]string{{"ps"}, {"logs", "run_1"}, {"kill", "run_1"}, {"approve", "apr_1"}, {"deny", "apr_1"}, {"approvals"}} {
		var out, errOut bytes.Buffer
		code := Main(args, strings.NewReader(""), &out, &errOut)
		if code != ExitUsage || !strings.Contains(errOut.String(), "AIOS_KERNEL") {
			t.Errorf("%v: exit %d, want 64 naming AIOS_KERNEL; stderr:\n%s", args, code, errOut.String())
		}
	}
}

func TestRemoteKernelFromTheEnvironment(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	t.Setenv(EnvKernel, k.url)
	t.Setenv(EnvToken, k.token)
	var out, errOut bytes.Buffer
	if code := Main([]string{"run", remoteFixture("minimal")}, strings.NewReader(""), &out, &errOut); code != 0 || out.String() != "hello from wasm\n" {
		t.Fatalf("exit %d, stdout %q; stderr:\n%s", code, out.String(), errOut.String())
	}
}

func TestPsListsRuns(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	if code, _, errOut := k.aios("run", remoteFixture("rogue")); code != 72 {
		t.Fatalf("run: exit %d; stderr:\n%s", code, errOut)
	}
	code, out, errOut := k.aios("ps")
	if code != 0 {
		t.Fatalf("ps: exit %d; stderr:\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[1], "rogue") ||
		!strings.Contains(lines[1], "exited") || !strings.Contains(lines[1], " 72 ") || !strings.Contains(lines[1], "0/0") {
		t.Fatalf("ps:\n%s", out)
	}
	code, out, _ = k.aios("ps", "--json")
	if code != 0 || !strings.Contains(out, `"status": "exited"`) || !strings.Contains(out, `"exit_code": 72`) {
		t.Fatalf("ps --json: exit %d:\n%s", code, out)
	}
}

func TestLogsShowsEvents(t *testing.T) {
	k := newRemoteKernel(t, "", nil)
	if code, _, errOut := k.aios("run", streamFixture, "--input", "stream me"); code != 7 {
		t.Fatalf("run: exit %d; stderr:\n%s", code, errOut)
	}
	id := k.onlyRun("").ID
	code, _, errOut := k.aios("logs", id)
	if code != 0 || !strings.Contains(errOut, "llm: ") || !strings.Contains(errOut, "aios: run "+id+" exited, exit code 7") {
		t.Fatalf("logs: exit %d; stderr:\n%s", code, errOut)
	}
	code, out, _ := k.aios("logs", "--json", id)
	if code != 0 || !strings.Contains(out, `"type":"token"`) || !strings.Contains(out, `"status":"exited"`) {
		t.Fatalf("logs --json: exit %d:\n%s", code, out)
	}
	if code, _, errOut := k.aios("logs", "run_nothere"); code != ExitNoInput || !strings.Contains(errOut, "404") {
		t.Fatalf("logs of no run: exit %d; stderr:\n%s", code, errOut)
	}
}

// slowCore is an echo core that takes an hour to answer: a run that generates stays running
// until it is canceled.
const slowCore = "[[cores]]\nkind = \"echo\"\nlatency = \"1h\"\n"

func TestKillCancelsALongRun(t *testing.T) {
	k := newRemoteKernel(t, slowCore, nil)
	id, err := k.client().Submit(context.Background(), client.RunRequest{Module: mustRead(t, remoteFixture("generate")), Name: "generate"})
	if err != nil {
		t.Fatal(err)
	}
	k.onlyRun(client.StatusRunning)
	follow := make(chan string, 1)
	go func() {
		_, _, errOut := k.aios("logs", "-f", id.ID)
		follow <- errOut
	}()
	if code, _, errOut := k.aios("kill", id.ID); code != 0 || !strings.Contains(errOut, "cancel asked") {
		t.Fatalf("kill: exit %d; stderr:\n%s", code, errOut)
	}
	select {
	case errOut := <-follow:
		if !strings.Contains(errOut, "aios: run "+id.ID+" canceled") {
			t.Fatalf("logs -f ended without the cancel:\n%s", errOut)
		}
	case <-time.After(hangGuard):
		t.Fatal("logs -f did not end after the kill")
	}
	if r := k.onlyRun(""); r.Status != client.StatusCanceled {
		t.Fatalf("run after kill = %+v", r)
	}
	if code, _, _ := k.aios("kill", "run_nothere"); code != ExitNoInput {
		t.Fatalf("kill of no run: exit %d, want 66", code)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// confirmGenerations makes every generation wait for an operator's confirmation.
const confirmGenerations = "[policy]\npaths = [\"confirm.rego\"]\n[[policy.grants]]\nagent = \"*\"\nmodels = [\"*\"]\nclasses = [\"*\"]\n"

var confirmGenerationsFiles = map[string]string{"confirm.rego": `package aios.policy

obligations contains {"confirm": true} if input.call == "llm_generate"
`}

func TestApproveAndDenyRoundTrip(t *testing.T) {
	k := newRemoteKernel(t, confirmGenerations, confirmGenerationsFiles)
	for _, tc := range []struct {
		verb string
		code int
		says string
	}{
		{"approve", 0, "exited 0"},
		{"deny", 71, "stopped by the host"}, // generate traps when its call fails
	} {
		type result struct {
			code           int
			stdout, stderr string
		}
		done := make(chan result, 1)
		go func() {
			code, out, errOut := k.aios("run", remoteFixture("generate"))
			done <- result{code, out, errOut}
		}()
		var ap client.Approval
		remoteWait(t, "an approval", func() bool {
			as, err := k.client().Approvals(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(as) == 1 {
				ap = as[0]
			}
			return len(as) == 1
		})
		code, out, errOut := k.aios("approvals")
		if code != 0 || !strings.Contains(out, ap.ID) || !strings.Contains(out, "llm_generate") {
			t.Fatalf("approvals: exit %d:\n%s%s", code, out, errOut)
		}
		if code, _, errOut := k.aios(tc.verb, ap.ID); code != 0 {
			t.Fatalf("%s: exit %d; stderr:\n%s", tc.verb, code, errOut)
		}
		r := <-done
		if r.code != tc.code || !strings.Contains(r.stderr, tc.says) || !strings.Contains(r.stderr, "waits for approval "+ap.ID) {
			t.Fatalf("%s: run exit %d, want %d; stderr:\n%s", tc.verb, r.code, tc.code, r.stderr)
		}
		if code, _, errOut := k.aios(tc.verb, ap.ID); code != ExitNoInput {
			t.Fatalf("a second %s: exit %d, want 66; stderr:\n%s", tc.verb, code, errOut)
		}
	}
}

func TestRemoteRunInterruptCancelsTheRun(t *testing.T) {
	k := newRemoteKernel(t, slowCore, nil)
	t.Setenv(EnvKernel, k.url)
	t.Setenv(EnvToken, k.token)
	gen, err := filepath.Abs(remoteFixture("generate"))
	if err != nil {
		t.Fatal(err)
	}
	p := startAios(t, t.TempDir(), "run", gen)
	k.onlyRun(client.StatusRunning)
	p.signal(syscall.SIGINT)
	if code := p.wait(); code != 130 {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "canceled") {
		t.Fatalf("stderr does not say the run was canceled:\n%s", p.stderr)
	}
	remoteWait(t, "the run canceled", func() bool { return k.onlyRun("").Status == client.StatusCanceled })
}

func TestRemoteRunDeniedAtStartExits70(t *testing.T) {
	k := newRemoteKernel(t, "[policy]\npaths = [\"closed.rego\"]\n", map[string]string{"closed.rego": `package aios.policy

deny contains "tenant alice is closed" if {
	input.call == "start"
	input.agent.tenant == "alice"
}
`})
	code, _, errOut := k.aios("run", remoteFixture("minimal"))
	if code != ExitKernel || !strings.Contains(errOut, "denied by policy: ") || !strings.Contains(errOut, "tenant alice is closed") {
		t.Fatalf("exit %d, want 70 for a start denied; stderr:\n%s", code, errOut)
	}
}
