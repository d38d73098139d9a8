// Package simtest runs the llm-d inference simulator, an OpenAI-compatible server, for tests.
//
// The simulator binary is built from the version pinned in tools/go.mod by tools/build-sim.sh
// into bin/llm-d-inference-sim at the repository root. AIOS_SIM, when set, names another binary.
package simtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Model is the model name the simulator serves unless Start's arguments name another.
const Model = "sim-model"

// BuildCommand builds the simulator binary; run it from the repository root.
const BuildCommand = "tools/build-sim.sh"

const (
	readyTimeout = 30 * time.Second
	startTries   = 3
)

// Start runs the simulator on a free loopback port and returns its API root, e.g.
// "http://127.0.0.1:41234/v1", once it answers GET /v1/models. The process is killed when the
// test ends.
//
// args are passed to the simulator after --port. Unless they set them, Start adds
// --model sim-model and --mode echo (replies repeat the last user message), and always
// --force-dummy-tokenizer, so that nothing is downloaded. Flags of v0.10.2 that tests use:
// --inter-token-latency and --time-to-first-token (durations such as 50ms), --max-num-seqs,
// --max-model-len, --failure-injection-rate with --failure-types.
//
// A missing binary fails the test with the command that builds it.
func Start(t testing.TB, args ...string) string {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatalf("simtest: %v", err)
	}
	args = withDefaults(args)
	var lastErr error
	for range startTries {
		baseURL, err := start(t, bin, args)
		if err == nil {
			return baseURL
		}
		lastErr = err
		if !errors.Is(err, errExited) {
			break
		}
	}
	t.Fatalf("simtest: %v", lastErr)
	return ""
}

// errExited marks a simulator that ended before it was ready, e.g. because another process took
// its port in the meantime; Start tries again on another port.
var errExited = errors.New("simulator exited before it was ready")

func start(t testing.TB, bin string, args []string) (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, append([]string{"--port", strconv.Itoa(port)}, args...)...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	baseURL := fmt.Sprintf("http://127.0.0.1:%d/v1", port)
	if err := waitReady(baseURL, exited); err != nil {
		stop()
		return "", fmt.Errorf("%w\n%s output:\n%s", err, filepath.Base(bin), out.tail(40))
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("simulator output (last lines):\n%s", out.tail(20))
		}
	})
	return baseURL, nil
}

func withDefaults(args []string) []string {
	has := func(flag string) bool {
		return slices.ContainsFunc(args, func(a string) bool { return a == flag || strings.HasPrefix(a, flag+"=") })
	}
	args = slices.Clone(args)
	if !has("--model") {
		args = append(args, "--model", Model)
	}
	if !has("--mode") {
		args = append(args, "--mode", "echo")
	}
	if !has("--force-dummy-tokenizer") {
		args = append(args, "--force-dummy-tokenizer")
	}
	return args
}

// binary finds the simulator: AIOS_SIM, or bin/llm-d-inference-sim in the repository root.
func binary() (string, error) {
	if p := os.Getenv("AIOS_SIM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("AIOS_SIM: %w", err)
		}
		return p, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "bin", "llm-d-inference-sim")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("the LLM simulator is not built (%v); build it with: cd %s && %s", err, root, BuildCommand)
	}
	return p, nil
}

// repoRoot walks up from the working directory (a package directory under go test) to the
// directory holding tools/build-sim.sh.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, BuildCommand)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find repository root: no %s above the working directory", BuildCommand)
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls GET baseURL/models until it answers 200, the process exits, or readyTimeout.
func waitReady(baseURL string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if ok := probe(ctx, baseURL+"/models"); ok {
			return nil
		}
		select {
		case <-exited:
			return errExited
		case <-ctx.Done():
			return fmt.Errorf("simulator not ready at %s after %s", baseURL, readyTimeout)
		case <-tick.C:
		}
	}
}

func probe(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// syncBuffer collects the simulator's output, written from the exec package's copying goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last n lines written.
func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimRight(b.buf.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
