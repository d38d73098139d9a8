package cli

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/internal/sqlitedb"
)

// hangGuard bounds how long a signal test waits for anything: it only catches a hang, never
// measures speed.
const hangGuard = 3 * time.Minute

// aiosProcess is a real `aios` process (the test binary as aios, see TestMain) whose standard
// output and error are read line by line as they come.
type aiosProcess struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout *lines
	stderr *lines
}

// lines collects the lines of one stream of a process.
type lines struct {
	mu    sync.Mutex
	text  []string
	wake  chan struct{} // closed and replaced at each new line
	ended chan struct{} // closed at the stream's end
}

func readLines(r io.Reader) *lines {
	l := &lines{wake: make(chan struct{}), ended: make(chan struct{})}
	go func() {
		defer close(l.ended)
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			l.mu.Lock()
			l.text = append(l.text, sc.Text())
			close(l.wake)
			l.wake = make(chan struct{})
			l.mu.Unlock()
		}
	}()
	return l
}

// count returns how many lines contain text, and a channel closed at the next line.
func (l *lines) count(text string) (int, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.text {
		if strings.Contains(line, text) {
			n++
		}
	}
	return n, l.wake
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.text, "\n")
}

// startAios starts `aios args...` in dir with its data directory in dir/data and no user
// configuration.
func startAios(t *testing.T, dir string, args ...string) *aiosProcess {
	t.Helper()
	cmd := exec.Command("aios", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AIOS_DATA_DIR="+filepath.Join(dir, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "xdg"), "AIOS_CONFIG=")
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start aios: %v", err)
	}
	p := &aiosProcess{t: t, cmd: cmd, stdout: readLines(outPipe), stderr: readLines(errPipe)}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return p
}

// waitFor waits until n lines of the stream contain text: the readiness signal before a test
// sends its signal.
func (p *aiosProcess) waitFor(stream *lines, text string, n int) {
	p.t.Helper()
	guard := time.After(hangGuard)
	for {
		found, wake := stream.count(text)
		if found >= n {
			return
		}
		select {
		case <-wake:
		case <-stream.ended:
			p.t.Fatalf("aios ended before %d lines with %q; stderr:\n%s", n, text, p.stderr)
		case <-guard:
			p.t.Fatalf("no %d lines with %q after %s; stderr:\n%s", n, text, hangGuard, p.stderr)
		}
	}
}

func (p *aiosProcess) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("send %s: %v", sig, err)
	}
}

// wait waits for the process to end and returns its exit code.
func (p *aiosProcess) wait() int {
	p.t.Helper()
	guard := time.After(hangGuard)
	for _, stream := range []*lines{p.stdout, p.stderr} {
		select {
		case <-stream.ended:
		case <-guard:
			p.cmd.Process.Kill()
			p.t.Fatalf("aios still running after %s; stderr:\n%s", hangGuard, p.stderr)
		}
	}
	var ee *exec.ExitError
	if err := p.cmd.Wait(); err != nil && !errors.As(err, &ee) {
		p.t.Fatalf("wait for aios: %v", err)
	}
	return p.cmd.ProcessState.ExitCode()
}

// buildWriter builds testdata/writer, an agent that writes storage and memory until stopped.
func buildWriter(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "writer.wasm")
	wasip1Build(t, filepath.Join("testdata", "writer"), ".", out)
	return out
}

// checkIntegrity opens each SQLite store of the data directory and runs PRAGMA integrity_check.
func checkIntegrity(t *testing.T, data string) {
	t.Helper()
	for _, name := range []string{aios.StorageFile, aios.MemoryFile, aios.AuditFile} {
		path := filepath.Join(data, name)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("store %s: %v", name, err)
		}
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		if err := sqlitedb.IntegrityCheck(context.Background(), db); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close %s: %v", name, err)
		}
	}
}

// interruptWriter runs the writer agent in dir, sends sig once it is writing, and checks the
// exit code and the summary.
func interruptWriter(t *testing.T, dir, writer string, sig syscall.Signal, code int) {
	t.Helper()
	p := startAios(t, dir, "run", writer)
	p.waitFor(p.stderr, "info: writing", 1)
	p.signal(sig)
	if got := p.wait(); got != code {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", got, code, p.stderr)
	}
	name := (&interruptedError{signal: sig}).name()
	stderr := p.stderr.String()
	for _, want := range []string{
		"aios: interrupted by " + name + "; stopping the agent (press Ctrl-C again to quit now)",
		"aios: writer[1] stopped by the host, exit " + strconv.Itoa(code) + ": interrupted by " + name + " after ",
		"\naios: interrupted by " + name,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestSignalInterruptLeavesDataConsistent interrupts an agent in the middle of its storage and
// memory writes: aios exits 130 after the summary, every store passes SQLite's integrity check,
// what was written can be read, and the next run on the same data directory works.
func TestSignalInterruptLeavesDataConsistent(t *testing.T) {
	dir := t.TempDir()
	writer := buildWriter(t, dir)
	interruptWriter(t, dir, writer, syscall.SIGINT, 130)
	checkIntegrity(t, filepath.Join(dir, "data"))

	get := startAios(t, dir, "storage", "get", "key-0", "--agent", "writer")
	if code := get.wait(); code != 0 || !strings.HasPrefix(get.stdout.String(), "value ") {
		t.Fatalf("storage get after the interrupted run: exit %d, stdout %q; stderr:\n%s",
			code, get.stdout.String(), get.stderr)
	}
	// The same data directory serves the next run, which is interrupted as well.
	interruptWriter(t, dir, writer, syscall.SIGINT, 130)
	checkIntegrity(t, filepath.Join(dir, "data"))
}

// TestSignalTermExits143 stops a run with SIGTERM: exit 143, and with --json the result object
// says the run was interrupted and by which signal.
func TestSignalTermExits143(t *testing.T) {
	dir := t.TempDir()
	writer := buildWriter(t, dir)
	interruptWriter(t, dir, writer, syscall.SIGTERM, 143)
	checkIntegrity(t, filepath.Join(dir, "data"))

	p := startAios(t, dir, "run", writer, "--json")
	p.waitFor(p.stdout, `"text":"writing"`, 1)
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 143 {
		t.Fatalf("exit code %d, want 143; stderr:\n%s", code, p.stderr)
	}
	out := strings.Split(p.stdout.String(), "\n")
	var res jsonResult
	if err := json.Unmarshal([]byte(out[len(out)-1]), &res); err != nil {
		t.Fatalf("last line of --json is not a result: %v\n%s", err, p.stdout.String())
	}
	if res.Event != "result" || res.ExitCode != 143 || res.Cause != causeInterrupted || res.Signal != "SIGTERM" ||
		res.Error != "interrupted by SIGTERM" {
		t.Errorf("result %+v, want exit_code 143, cause interrupted, signal SIGTERM", res)
	}
}

// TestSignalInterruptsBlockedLLMCalls interrupts three replicas blocked in an LLM call that
// would take an hour: each one is stopped and summarized, and aios exits 130.
func TestSignalInterruptsBlockedLLMCalls(t *testing.T) {
	dir := t.TempDir()
	hello := filepath.Join(dir, "hello.wasm")
	wasip1Build(t, filepath.Join("..", "..", "samples"), "./hello", hello)
	config := "[[cores]]\nname = \"slow\"\nkind = \"echo\"\nlatency = \"1h\"\n"
	if err := os.WriteFile(filepath.Join(dir, "aios.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startAios(t, dir, "run", hello, "--config", "aios.toml", "--replicas", "3", "--input", "Why?")
	p.waitFor(p.stderr, "info: asking: Why?", 3)
	p.signal(os.Interrupt)
	if code := p.wait(); code != 130 {
		t.Fatalf("exit code %d, want 130; stderr:\n%s", code, p.stderr)
	}
	if n, _ := p.stderr.count("aios: interrupted by SIGINT; stopping the agents (press Ctrl-C again to quit now)"); n != 1 {
		t.Errorf("%d notices of the interruption, want 1; stderr:\n%s", n, p.stderr)
	}
	if n, _ := p.stderr.count("stopped by the host, exit 130: interrupted by SIGINT after "); n != 3 {
		t.Errorf("%d interrupted summaries, want 3; stderr:\n%s", n, p.stderr)
	}
}

// TestSignalInterruptsSleep interrupts an agent sleeping in poll_oneoff for an hour.
func TestSignalInterruptsSleep(t *testing.T) {
	dir := t.TempDir()
	writer := buildWriter(t, dir)
	p := startAios(t, dir, "run", writer, "--", "sleep")
	p.waitFor(p.stderr, "info: sleeping", 1)
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 143 {
		t.Fatalf("exit code %d, want 143; stderr:\n%s", code, p.stderr)
	}
	if n, _ := p.stderr.count("aios: writer[1] stopped by the host, exit 143: interrupted by SIGTERM after "); n != 1 {
		t.Errorf("no interrupted summary; stderr:\n%s", p.stderr)
	}
}

// TestSignalTwiceInterrupts sends SIGINT twice at once: whether the second one arrives while
// aios is stopping the agent (it quits at once) or not, aios exits 130 and leaves every store
// consistent.
func TestSignalTwiceInterrupts(t *testing.T) {
	dir := t.TempDir()
	writer := buildWriter(t, dir)
	p := startAios(t, dir, "run", writer)
	p.waitFor(p.stderr, "info: writing", 1)
	p.signal(os.Interrupt)
	p.signal(os.Interrupt)
	if code := p.wait(); code != 130 {
		t.Fatalf("exit code %d, want 130; stderr:\n%s", code, p.stderr)
	}
	checkIntegrity(t, filepath.Join(dir, "data"))
}
