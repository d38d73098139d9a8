package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/journal"
)

// restartSetup writes an aios.toml whose one core is the simulator behind a counting proxy,
// each generation tried once (so that a backend failure reaches the agent), with [durable]
// extra, and points the data and configuration directories into a temporary directory.
func restartSetup(t *testing.T, extra string) (proxy *countingProxy, cfgPath, data string) {
	t.Helper()
	sim := simtest.Start(t)
	proxy, base := newCountingProxy(t, sim)
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "aios.toml")
	cfgText := fmt.Sprintf("[[cores]]\nname = \"sim\"\nkind = \"openai\"\nbase_url = %q\nmodels = [\"sim-model\"]\ncapacity = 4\n\n"+
		"[scheduler]\nmax_attempts = 1\nfailure_threshold = 1000\n\n[durable]\n%s", base, extra)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	data = filepath.Join(dir, "data")
	t.Setenv("AIOS_DATA_DIR", data)
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	return proxy, cfgPath, data
}

func roundsOf(n int) (input, want string) {
	for i := range n {
		want += fmt.Sprintf("round %d: sky\n", i)
	}
	return fmt.Sprintf("rounds %d sky", n), want
}

func onlyRun(t *testing.T, data string) journal.Run {
	t.Helper()
	store, err := journal.Open(filepath.Join(data, aios.JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	runs, err := store.Runs()
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v, %v; want one", runs, err)
	}
	return runs[0]
}

// TestRunDurableRestartOnFailure runs `aios run --durable --restart on-failure` on an agent
// whose third generation fails once: the run is restarted, says so, ends succeeded in its
// second attempt, and no generation before the failed one is sent again.
func TestRunDurableRestartOnFailure(t *testing.T) {
	src, err := durableWasm()
	if err != nil {
		t.Fatal(err)
	}
	proxy, cfgPath, data := restartSetup(t, "backoff = \"50ms\"\n")
	proxy.failing("round 2: sky", 1)
	input, want := roundsOf(4)
	code, out, errOut := aiosCmd(t, "run", "--config", cfgPath, "--durable", "--restart", "on-failure", src, "--input", input)
	if code != 0 || out != want {
		t.Fatalf("exit %d, output\n%s\nwant\n%s\n%s", code, out, want, errOut)
	}
	if !strings.Contains(errOut, "aios: restarted (attempt 2 of 4) after: exit code 1, in 50ms") {
		t.Errorf("standard error does not tell of the restart:\n%s", errOut)
	}
	counts, _ := proxy.snapshot()
	for i, n := range []int{1, 1, 2, 1} {
		if got := counts[fmt.Sprintf("round %d: sky", i)]; got != n {
			t.Errorf("round %d was sent %d times, want %d", i, got, n)
		}
	}
	rec := onlyRun(t, data)
	if rec.Status != journal.Finished || rec.Attempt != 2 || rec.Restarts != 1 || len(rec.Backoffs) != 1 || rec.Backoffs[0] != 50*time.Millisecond {
		t.Errorf("record %+v", rec)
	}
	code, out, _ = aiosCmd(t, "journal", rec.ID)
	if code != 0 || !strings.Contains(out, "restart on-failure:3: attempt 2, restarts 1 (backoffs [50ms]), resumes 0\n") {
		t.Errorf("aios journal %s: exit %d\n%s", rec.ID, code, out)
	}
	code, out, _ = aiosCmd(t, "replay", rec.ID)
	if code != 0 || !strings.HasPrefix(out, "identical") {
		t.Errorf("replay of the restarted run: exit %d, %s", code, out)
	}

	// --json tells of the restart as an event of its own.
	proxy.reset()
	proxy.failing("round 2: sky", 1)
	code, out, errOut = aiosCmd(t, "run", "--config", cfgPath, "--durable", "--restart", "on-failure", "--json", src, "--input", input)
	if code != 0 || !strings.Contains(out, `"event":"restart"`) || !strings.Contains(out, `restarted (attempt 2 of 4) after: exit code 1, in 50ms`) {
		t.Errorf("--json: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestRunDurableRestartFlagErrors: an unknown policy, a bad count and --restart without
// --durable are usage errors that say what is wrong.
func TestRunDurableRestartFlagErrors(t *testing.T) {
	t.Setenv("AIOS_DATA_DIR", t.TempDir())
	t.Setenv("AIOS_CONFIG", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--durable", "--restart", "always"}, `restart policy "always"`},
		{[]string{"--durable", "--restart", "on-failure:-1"}, "the count must be a whole number from 0 to 1000"},
		{[]string{"--durable", "--restart", "on-failure:99999999999999999999"}, "the count must be a whole number"},
		{[]string{"--restart", "on-failure"}, "only a durable run can be restarted; add --durable"},
	} {
		args := append([]string{"run"}, c.args...)
		code, _, errOut := aiosCmd(t, append(args, "x.wasm")...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errOut, ExitUsage, c.want)
		}
	}
}

// TestRestartSurvivesSIGKILLDuringBackoff kills a real `aios run --durable --restart
// on-failure` process while its run waits for its backoff: the run is still "running", its
// journal cut back, and `aios resume --all` waits out the backoff and restarts it, without
// counting a resume; it ends succeeded in its second attempt.
func TestRestartSurvivesSIGKILLDuringBackoff(t *testing.T) {
	src, err := durableWasm()
	if err != nil {
		t.Fatal(err)
	}
	proxy, cfgPath, data := restartSetup(t, "backoff = \"2s\"\n")
	proxy.failing("round 1: sky", 1)
	input, want := roundsOf(3)
	cmd := exec.Command(aiosBinary(t), "run", "--config", cfgPath, "--durable", "--restart", "on-failure:2", src, "--input", input)
	cmd.Env = os.Environ()
	var childErr bytes.Buffer
	cmd.Stderr = &childErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var rec journal.Run
	for deadline := time.Now().Add(2 * time.Minute); ; { // a hang guard only
		if runs := journalRuns(t, data); len(runs) == 1 && !runs[0].RestartAt.IsZero() {
			rec = runs[0]
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the run never waited to restart\n%s", childErr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL, during the backoff
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if rec.Status != journal.Running || rec.Restarts != 1 || rec.Attempt != 2 || rec.Failure != "exit code 1" {
		t.Fatalf("the record while waiting: %+v", rec)
	}
	code, out, errOut := aiosCmd(t, "resume", "--config", cfgPath, "--all")
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("resume --all: exit %d, output\n%s\nwant\n%s\n%s", code, out, want, errOut)
	}
	final := onlyRun(t, data)
	if final.Status != journal.Finished || final.Attempt != 2 || final.Restarts != 1 || final.Resumes != 0 {
		t.Errorf("record %+v", final)
	}
	counts, _ := proxy.snapshot()
	if counts["round 0: sky"] != 1 || counts["round 1: sky"] != 2 || counts["round 2: sky"] != 1 {
		t.Errorf("generations sent: %v; want round 0 once, round 1 twice, round 2 once", counts)
	}
}

// journalRuns reads the runs of data's journals, or none while they cannot be read.
func journalRuns(t *testing.T, data string) []journal.Run {
	dir := filepath.Join(data, aios.JournalDir)
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	store, err := journal.Open(dir, journal.Options{})
	if err != nil {
		return nil
	}
	defer store.Close()
	runs, _ := store.Runs()
	return runs
}

// TestKernelServeRestartSurvivesSIGKILLDuringBackoff submits a run with restart on-failure
// to a real `aios kernel serve --durable` whose backend fails its first generation, kills
// the kernel with SIGKILL while the run waits for its backoff, and starts it again on the
// same data directory: the run is restarted under its id when its backoff is over, its
// events say so, and it exits normally in its second attempt, its generation sent twice in
// all.
func TestKernelServeRestartSurvivesSIGKILLDuringBackoff(t *testing.T) {
	src, err := durableWasm()
	if err != nil {
		t.Fatal(err)
	}
	wasm, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	proxy, cfgPath, _ := restartSetup(t, "")
	proxy.failing("round 0: sky", 1)
	dir := filepath.Dir(cfgPath)
	serve := func() (*aiosProcess, *client.Client) {
		p := startAios(t, dir, "kernel", "serve", "--listen", "127.0.0.1:0", "--config", "aios.toml", "--durable")
		p.waitFor(p.stderr, "aios kernel: serving http://", 1)
		addr := regexp.MustCompile(`serving (http://[0-9.:]+)`).FindStringSubmatch(p.stderr.String())
		if addr == nil {
			t.Fatalf("no address in %q", p.stderr)
		}
		return p, client.New(addr[1], "")
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	first, c := serve()
	input, want := roundsOf(2)
	r, err := c.Submit(ctx, client.RunRequest{Module: wasm, Name: "durable", Input: input,
		Restart: &client.Restart{Policy: "on-failure", Backoff: "3s"}})
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	for {
		if runs := journalRuns(t, data); len(runs) == 1 && !runs[0].RestartAt.IsZero() {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the run never waited to restart; stderr:\n%s", first.stderr) // a hang guard only
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := first.cmd.Process.Kill(); err != nil { // SIGKILL, during the backoff
		t.Fatal(err)
	}
	first.wait()

	second, c := serve()
	defer second.signal(syscall.SIGTERM)
	var final client.Run
	for {
		if final, err = c.Run(ctx, r.ID); err == nil && client.Final(final.Status) {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("run %s did not end after the restart: %+v %v\n%s", r.ID, final, err, second.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	out, err := c.Output(ctx, r.ID)
	if err != nil || final.Status != client.StatusExited || string(out) != want {
		t.Fatalf("run %+v, output %q (%v), want %q", final, out, err, want)
	}
	var said bool
	for e, err := range c.Events(ctx, r.ID, 0) {
		if err != nil {
			t.Fatal(err)
		}
		said = said || e.Type == client.EventNotice && strings.HasPrefix(e.Text, "the kernel restarted while the run waited to restart (attempt 2 of 4) after: ")
	}
	if !said {
		t.Error("the events do not say the run was restarted after the kernel restarted")
	}
	rec := onlyRun(t, data)
	if rec.Status != journal.Finished || rec.Attempt != 2 || rec.Restarts != 1 || rec.Resumes != 0 {
		t.Errorf("record %+v", rec)
	}
	counts, _ := proxy.snapshot()
	if counts["round 0: sky"] != 2 || counts["round 1: sky"] != 1 {
		t.Errorf("generations sent %v; want round 0 twice, round 1 once", counts)
	}
}
