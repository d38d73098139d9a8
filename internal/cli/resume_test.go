package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/journal"
)

// countingProxy forwards to an OpenAI-compatible server and counts the generations it is
// sent, by the last message's text. It answers 503 instead to the first fail[text]
// generations of a text (-1: to all of them).
type countingProxy struct {
	mu     sync.Mutex
	counts map[string]int
	total  int
	fail   map[string]int
}

func newCountingProxy(t *testing.T, target string) (*countingProxy, string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{counts: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	rp.ErrorLog = log.New(io.Discard, "", 0) // the kill breaks the connections in flight
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat/completions") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct {
				Messages []struct {
					Content string `json:"content"`
				} `json:"messages"`
			}
			if json.Unmarshal(body, &req) == nil && len(req.Messages) > 0 {
				text := req.Messages[len(req.Messages)-1].Content
				p.mu.Lock()
				p.counts[text]++
				p.total++
				fail := p.fail[text] < 0 || p.counts[text] <= p.fail[text]
				p.mu.Unlock()
				if fail {
					http.Error(w, `{"error":{"message":"injected by the test: the backend is down"}}`, http.StatusServiceUnavailable)
					return
				}
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return p, srv.URL + u.Path
}

func (p *countingProxy) snapshot() (map[string]int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := make(map[string]int, len(p.counts))
	for k, v := range p.counts {
		m[k] = v
	}
	return m, p.total
}

// settled returns the counts once no request has arrived for a while: a request the killed
// process had written to its socket may still be on its way in.
func (p *countingProxy) settled() map[string]int {
	for {
		_, n := p.snapshot()
		time.Sleep(300 * time.Millisecond)
		if m, again := p.snapshot(); again == n {
			return m
		}
	}
}

// failing makes the proxy answer 503 to text until it has been sent n times in all (-1: always).
func (p *countingProxy) failing(text string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail == nil {
		p.fail = map[string]int{}
	}
	p.fail[text] = n
}

func (p *countingProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.counts)
	p.total = 0
}

// aiosBinary is this test binary under the name aios, which TestMain runs as the CLI.
func aiosBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "aios")
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestResumeAfterSIGKILL kills a real `aios run --durable` process in the middle of a run of
// sequential generations against the simulator, resumes it with `aios resume`, and checks that
// the output is an uninterrupted run's and that no generation whose result was journaled was
// sent again.
func TestResumeAfterSIGKILL(t *testing.T) {
	const rounds = 8
	src, err := durableWasm()
	if err != nil {
		t.Fatal(err)
	}
	sim := simtest.Start(t, "--time-to-first-token", "300ms")
	proxy, base := newCountingProxy(t, sim)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "aios.toml")
	cfgText := fmt.Sprintf("[[cores]]\nname = \"sim\"\nkind = \"openai\"\nbase_url = %q\nmodels = [\"sim-model\"]\ncapacity = 4\n", base)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	t.Setenv("AIOS_DATA_DIR", data)
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	input := fmt.Sprintf("rounds %d sky", rounds)

	code, want, errOut := aiosCmd(t, "run", "--config", cfgPath, src, "--input", input)
	if code != 0 || strings.Count(want, "\n") != rounds {
		t.Fatalf("uninterrupted run: exit %d\n%s\n%s", code, want, errOut)
	}
	proxy.reset()

	cmd := exec.Command(aiosBinary(t), "run", "--config", cfgPath, "--durable", src, "--input", input)
	cmd.Env = os.Environ()
	var childErr bytes.Buffer
	cmd.Stderr = &childErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killWhen(t, cmd, fmt.Sprintf("the durable run to send %d generations", rounds/2), func() bool { // mid-generation
		_, total := proxy.snapshot()
		return total >= rounds/2
	})
	before := proxy.settled()

	store, err := journal.Open(filepath.Join(data, aios.JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := store.Runs()
	if len(runs) != 1 || runs[0].Status != journal.Running {
		t.Fatalf("after the kill: runs %+v\n%s", runs, childErr.String())
	}
	id := runs[0].ID
	calls, _ := aios.JournalCalls(store, id)
	_ = store.Close()
	journaled := map[string]bool{}
	for _, c := range calls {
		if c.Name == "llm_generate" {
			journaled[fmt.Sprintf("round %d: sky", len(journaled))] = true
		}
	}
	if len(journaled) == 0 || len(journaled) >= rounds {
		t.Fatalf("%d generations were journaled before the kill, want some but not all", len(journaled))
	}

	t.Logf("killed after %d generations were sent, %d journaled", len(before), len(journaled))
	code, got, errOut := aiosCmd(t, "resume", "--config", cfgPath, id)
	if code != 0 || got != want {
		t.Fatalf("resume: exit %d, output\n%s\nwant\n%s\n%s", code, got, want, errOut)
	}
	after, _ := proxy.snapshot()
	for i := range rounds {
		prompt := fmt.Sprintf("round %d: sky", i)
		switch {
		case journaled[prompt] && after[prompt] != 1:
			t.Errorf("%q was journaled, but sent %d times", prompt, after[prompt])
		case !journaled[prompt] && after[prompt]-before[prompt] != 1:
			t.Errorf("%q was not journaled: resume sent it %d times, want once", prompt, after[prompt]-before[prompt])
		}
	}
	code, out, _ := aiosCmd(t, "journal")
	if code != 0 || !strings.Contains(out, "finished") {
		t.Errorf("journal after resume: %s", out)
	}
	code, out, _ = aiosCmd(t, "replay", id)
	if code != 0 || !strings.HasPrefix(out, "identical") {
		t.Errorf("replay of the resumed run: exit %d, %s", code, out)
	}
	if code, _, errOut := aiosCmd(t, "resume", "--config", cfgPath, id); code != ExitRefused || !strings.Contains(errOut, "already ended") {
		t.Errorf("resume of a finished run: exit %d, %s", code, errOut)
	}
}

// killWhen polls ready until it holds, then kills cmd with SIGKILL and reaps it: a crash at the
// point the test chose. If ready has not held within three minutes (a hang guard only), it
// kills cmd and fails the test, saying it waited for what.
func killWhen(t *testing.T, cmd *exec.Cmd, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !ready() {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}
