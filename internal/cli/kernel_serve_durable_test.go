package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/internal/simtest"
	"github.com/aiosys/aios/journal"
)

// TestKernelServeDurableResumesAfterSIGKILLOf100Runs submits 100 runs to a real `aios kernel
// serve --durable` process, in flight against the simulator behind a counting proxy, kills
// the kernel with SIGKILL, and starts it again on the same data directory with fewer active
// slots than interrupted runs: every interrupted run is listed under its old id, resumed (its
// events say so) and finishes with the output an uninterrupted run gives, no generation whose
// result was journaled is sent again, and every other one is sent once.
func TestKernelServeDurableResumesAfterSIGKILLOf100Runs(t *testing.T) {
	const runs, rounds = 100, 8
	src, err := durableWasm()
	if err != nil {
		t.Fatal(err)
	}
	wasm, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	sim := simtest.Start(t, "--time-to-first-token", "200ms", "--max-num-seqs", "64")
	// The generations wait at a gate until all 100 runs are submitted (compiling 100 modules
	// on a loaded machine takes a while), so that they are all in flight at the kill.
	gate, gateURL := newGate(t, sim)
	proxy, base := newCountingProxy(t, gateURL)
	dir := t.TempDir()
	cfgText := fmt.Sprintf("[[cores]]\nname = \"sim\"\nkind = \"openai\"\nbase_url = %q\nmodels = [\"sim-model\"]\ncapacity = 32\n", base)
	if err := os.WriteFile(filepath.Join(dir, "aios.toml"), []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	serve := func(extra ...string) (*aiosProcess, *client.Client) {
		args := append([]string{"kernel", "serve", "--listen", "127.0.0.1:0", "--config", "aios.toml", "--durable"}, extra...)
		p := startAios(t, dir, args...)
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
	began := time.Now()
	ids := make([]string, runs)
	next := make(chan int)
	var submitted sync.WaitGroup
	for range 4 {
		submitted.Go(func() {
			for i := range next {
				r, err := c.Submit(ctx, client.RunRequest{Module: wasm, Name: "durable", Input: fmt.Sprintf("tagged %d sky", rounds)})
				if err != nil {
					t.Error(err)
				}
				ids[i] = r.ID
			}
		})
	}
	for i := range runs {
		next <- i
	}
	close(next)
	submitted.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d runs submitted in %s", runs, time.Since(began))
	close(gate)
	for {
		if _, total := proxy.snapshot(); total >= runs*rounds/4 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the durable runs sent too few generations; stderr:\n%s", first.stderr) // a hang guard only
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := first.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	first.wait()
	before := proxy.settled()

	// What the journal holds: each run under its server id; the echo of each journaled
	// generation is its prompt.
	store, err := journal.Open(filepath.Join(dir, "data", aios.JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := store.Runs()
	if err != nil {
		t.Fatal(err)
	}
	journaled := map[string]bool{}
	var interrupted []string
	finishedBefore := map[string]journal.Run{}
	for _, r := range recs {
		if !slices.Contains(ids, r.ID) || r.Tenant != "default" || r.Name != "durable" {
			t.Fatalf("journaled run %s (tenant %q, name %q) is not one the server started", r.ID, r.Tenant, r.Name)
		}
		switch r.Status {
		case journal.Running:
			interrupted = append(interrupted, r.ID)
		case journal.Finished:
			finishedBefore[r.ID] = r
		default:
			t.Fatalf("run %s %s before the kill: %s", r.ID, r.Status, r.Error)
		}
		calls, _ := aios.JournalCalls(store, r.ID)
		for _, c := range calls {
			if c.Name != "llm_generate" || len(c.Delivered) == 0 {
				continue
			}
			var resp struct{ Text string }
			_ = json.Unmarshal(c.Delivered[0].Body, &resp)
			if m := taggedRound.FindString(resp.Text); m != "" {
				journaled[m] = true
			}
		}
	}
	_ = store.Close()
	if len(recs) != runs || len(interrupted) == 0 || len(journaled) == 0 {
		t.Fatalf("after the kill: %d runs journaled, %d interrupted, %d generations journaled", len(recs), len(interrupted), len(journaled))
	}
	t.Logf("killed with %d generations sent, %d journaled, %d runs interrupted", len(before), len(journaled), len(interrupted))

	second, c := serve("--max-active", "20")
	second.waitFor(second.stderr, fmt.Sprintf("aios kernel: resuming %d interrupted durable runs", len(interrupted)), 1)
	listed, err := c.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range interrupted {
		if !slices.ContainsFunc(listed, func(r client.Run) bool { return r.ID == id }) {
			t.Fatalf("interrupted run %s is not listed after the restart", id)
		}
	}
	outputs := map[string]string{}
	for _, id := range interrupted {
		var last client.Event
		resumed := false
		for e, err := range c.Events(ctx, id, 0) {
			if err != nil {
				t.Fatalf("events of %s: %v", id, err)
			}
			if e.Type == client.EventNotice && strings.Contains(e.Text, "resumed after the kernel restarted") {
				resumed = true
			}
			last = e
		}
		if !resumed || last.Status != client.StatusExited || last.ExitCode == nil || *last.ExitCode != 0 {
			t.Fatalf("run %s: resumed notice %v, last event %+v", id, resumed, last)
		}
		out, err := c.Output(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		outputs[id] = string(out)
	}
	after, _ := proxy.snapshot()
	for id, out := range outputs {
		if err := wholeRounds(out, rounds); err != nil {
			t.Fatalf("run %s: %v:\n%s", id, err, out)
		}
		for line := range strings.Lines(out) {
			prompt := strings.TrimSuffix(line, "\n")
			switch {
			case journaled[prompt] && after[prompt] != 1:
				t.Errorf("%q was journaled, but sent %d times", prompt, after[prompt])
			case !journaled[prompt] && after[prompt]-before[prompt] != 1:
				t.Errorf("%q was not journaled: the resume sent it %d times, want once", prompt, after[prompt]-before[prompt])
			}
		}
	}
	// A run that finished before the kill is not in the restarted server's memory; its
	// journal record holds the digest of its output, which must be a whole one too.
	for id, r := range finishedBefore {
		if r.ExitCode != 0 || r.Output == "" {
			t.Errorf("run %s finished before the kill with exit code %d, output %q", id, r.ExitCode, r.Output)
		}
	}
	store, err = journal.Open(filepath.Join(dir, "data", aios.JournalDir), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	recs, _ = store.Runs()
	for _, r := range recs {
		want := outputs[r.ID]
		if want == "" {
			continue
		}
		sum := sha256.Sum256([]byte(want))
		if r.Status != journal.Finished || r.Output != "sha256:"+hex.EncodeToString(sum[:]) || r.Resumes != 1 {
			t.Errorf("run %s after the resume: %s, output %s, %d resumes", r.ID, r.Status, r.Output, r.Resumes)
		}
	}
	t.Logf("%d runs resumed and finished, %d had finished before the kill", len(outputs), len(finishedBefore))
	// A served run's journal is a journal like any other: a resumed run replays identically.
	t.Setenv("AIOS_DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv("AIOS_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
	if code, out, errOut := aiosCmd(t, "replay", interrupted[0]); code != 0 || !strings.HasPrefix(out, "identical") {
		t.Errorf("replay %s: exit %d\n%s%s", interrupted[0], code, out, errOut)
	}
	second.signal(os.Interrupt)
	if code := second.wait(); code != 0 {
		t.Fatalf("the restarted kernel exited %d:\n%s", code, second.stderr)
	}
}

// wholeRounds checks that out is what an uninterrupted "tagged N sky" run outputs: the
// simulator's echo of each round's prompt, in order, one tag throughout.
func wholeRounds(out string, rounds int) error {
	ms := taggedRound.FindAllStringSubmatch(out, -1)
	if len(ms) != rounds {
		return fmt.Errorf("%d rounds, want %d", len(ms), rounds)
	}
	var want strings.Builder
	for i := range rounds {
		fmt.Fprintf(&want, "round %d: sky %s\n", i, ms[0][2])
	}
	if out != want.String() {
		return fmt.Errorf("not the output of an uninterrupted run, want:\n%s", want.String())
	}
	return nil
}

// newGate forwards to target; a generation waits until gate is closed. It returns the
// gate and its URL, with target's path.
func newGate(t *testing.T, target string) (chan struct{}, string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	rp.ErrorLog = log.New(io.Discard, "", 0) // the kill breaks the connections in flight
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat/completions") {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return gate, srv.URL + u.Path
}
