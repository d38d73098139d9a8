package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/internal/simtest"
)

// loadRuns is how many runs the load test and benchmark submit at once.
const loadRuns = 1000

// loadActive and loadSeqs size the server (runs active at once) and the simulator (sequences at
// once, the core's capacity too) so that the thousand runs finish on a loaded two-core machine.
const (
	loadActive = 32
	loadSeqs   = 16
)

// simSystem returns a System whose one core is a fresh LLM simulator in echo mode that serves
// seqs sequences at once; it is closed, then the simulator stopped, when the test ends.
func simSystem(tb testing.TB, seqs int) *aios.System {
	tb.Helper()
	base := simtest.Start(tb, "--max-num-seqs", strconv.Itoa(seqs))
	dir := tb.TempDir()
	toml := fmt.Sprintf("data_dir = %q\n\n[[cores]]\nname = \"sim\"\nkind = \"openai\"\nbase_url = %q\nmodels = [%q]\ncapacity = %d\n",
		filepath.Join(dir, "data"), base, simtest.Model, seqs)
	path := filepath.Join(dir, "aios.toml")
	if err := os.WriteFile(path, []byte(toml), 0o600); err != nil {
		tb.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	sys, err := aios.New(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := sys.Close(context.Background()); err != nil {
			tb.Errorf("close the system: %v", err)
		}
	})
	return sys
}

// serveOn runs a Server over sys behind a loopback listener until the test ends, when what
// still runs is canceled.
func serveOn(tb testing.TB, sys *aios.System, opts Options) (*Server, *httptest.Server) {
	srv := New(sys, opts)
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		ended, cancel := context.WithCancel(context.Background())
		cancel()
		_ = srv.Shutdown(ended)
		ts.Close()
	})
	return srv, ts
}

// askInput is server/testdata/askinput.wasm: it asks the LLM with its input and writes the reply.
func askInput(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "askinput.wasm"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// loadInput is run i's input; the simulator echoes it back as the reply.
func loadInput(i int) string { return fmt.Sprintf("load run %d asks", i) }

// replyText is the text of the GenerateResponse askinput wrote as its output.
func replyText(out []byte) (string, error) {
	var resp struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return "", fmt.Errorf("output %q: %w", out, err)
	}
	return resp.Text, nil
}

// loadResult is what driving runs through the API saw.
type loadResult struct {
	ids     []string        // run i's id
	submits []time.Duration // each accepted POST /v1/runs
	gets    []time.Duration // each GET /v1/runs/{id}
	refused int             // 429 answers, each retried
}

// loadClient is an API client for many concurrent requests: its connections are kept for
// reuse rather than closed after every request.
func loadClient(url string) (*client.Client, *http.Transport) {
	tr := &http.Transport{MaxIdleConnsPerHost: loadRuns, IdleConnTimeout: time.Minute}
	return client.New(url, "", client.WithHTTPClient(&http.Client{Transport: tr})), tr
}

// driveLoad submits n runs of wasm at once, run i with loadInput(i), each retried with
// backoff while the server answers 429, and polls each run until it has ended.
func driveLoad(ctx context.Context, c *client.Client, wasm []byte, n int) (loadResult, error) {
	res := loadResult{ids: make([]string, n)}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = driveOne(ctx, c, wasm, i, &res, &mu) })
	}
	wg.Wait()
	return res, errors.Join(errs...)
}

// driveOne submits run i until it is accepted, then polls it until it has ended.
func driveOne(ctx context.Context, c *client.Client, wasm []byte, i int, res *loadResult, mu *sync.Mutex) error {
	backoff := 10 * time.Millisecond
	var run client.Run
	for {
		start := time.Now()
		r, err := c.Submit(ctx, client.RunRequest{Module: wasm, Name: "askinput", Input: loadInput(i)})
		took := time.Since(start)
		var apiErr *client.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests {
			mu.Lock()
			res.refused++
			mu.Unlock()
			if err := sleep(ctx, backoff/2+rand.N(backoff)); err != nil {
				return fmt.Errorf("run %d: still refused: %w", i, err)
			}
			backoff = min(2*backoff, time.Second)
			continue
		}
		if err != nil {
			return fmt.Errorf("submit run %d: %w", i, err)
		}
		run = r
		mu.Lock()
		res.ids[i] = r.ID
		res.submits = append(res.submits, took)
		mu.Unlock()
		break
	}
	for !client.Final(run.Status) {
		if err := sleep(ctx, 100*time.Millisecond+rand.N(100*time.Millisecond)); err != nil {
			return fmt.Errorf("run %d (%s) did not end: %w", i, run.ID, err)
		}
		start := time.Now()
		r, err := c.Run(ctx, run.ID)
		took := time.Since(start)
		if err != nil {
			return fmt.Errorf("get run %d (%s): %w", i, run.ID, err)
		}
		run = r
		mu.Lock()
		res.gets = append(res.gets, took)
		mu.Unlock()
	}
	return nil
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// settleGoroutines waits until at most want goroutines remain (want < 0: until their number
// has not changed for a quarter of a second), and returns how many there are.
func settleGoroutines(want int) int {
	deadline := time.Now().Add(hangGuard)
	last, same := -1, 0
	for {
		runtime.GC()
		n := runtime.NumGoroutine()
		if n == last {
			same++
		} else {
			last, same = n, 0
		}
		if (want >= 0 && n <= want) || (want < 0 && same == 5) || time.Now().After(deadline) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// heapAfterGC is the live heap's size once garbage is collected.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestThousandConcurrentRunsThroughTheAPI(t *testing.T) {
	sys := simSystem(t, loadSeqs)
	srv, ts := serveOn(t, sys, Options{MaxActive: loadActive, KeepRuns: 2 * loadRuns})
	c, tr := loadClient(ts.URL)
	wasm := askInput(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // a hang guard
	defer cancel()

	// One run first, so that the core's connection and the compilation cache are in the
	// baseline, then the baseline itself with no connection of the client left.
	if _, err := driveLoad(ctx, c, wasm, 1); err != nil {
		t.Fatal(err)
	}
	tr.CloseIdleConnections()
	baseGoroutines := settleGoroutines(-1)
	baseHeap := heapAfterGC()
	t.Logf("baseline: %d goroutines, %d bytes of heap", baseGoroutines, baseHeap)

	start := time.Now()
	res, err := driveLoad(ctx, c, wasm, loadRuns)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.submits) != loadRuns {
		t.Fatalf("%d runs accepted, want %d", len(res.submits), loadRuns)
	}
	t.Logf("%d runs accepted after %d refusals (429) at %d active, in %v", loadRuns, res.refused, loadActive, time.Since(start))

	runs, err := c.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != loadRuns+1 {
		t.Fatalf("GET /v1/runs lists %d runs, want %d and the first", len(runs), loadRuns+1)
	}
	listed := map[string]client.Run{}
	for _, r := range runs {
		listed[r.ID] = r
	}
	for i, id := range res.ids {
		r, ok := listed[id]
		if !ok {
			t.Fatalf("run %d (%s) is not listed", i, id)
		}
		if r.Status != client.StatusExited || r.ExitCode == nil || *r.ExitCode != 0 || r.Usage == nil || r.Usage.Generations != 1 {
			t.Fatalf("run %d = %+v, want exited 0 after one generation", i, r)
		}
		out, err := c.Output(ctx, id)
		if err != nil {
			t.Fatalf("output of run %d: %v", i, err)
		}
		text, err := replyText(out)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if want := loadInput(i); text != want {
			t.Fatalf("run %d's reply %q, want its own input %q echoed", i, text, want)
		}
	}
	// A run's slot is given back just after its final status is recorded.
	active := func() int {
		srv.admit.Lock()
		defer srv.admit.Unlock()
		return srv.running
	}
	for active() != 0 {
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			t.Fatal("runs are still counted active after every run has ended")
		}
	}

	t.Logf("runs and outputs checked after %v", time.Since(start))
	tr.CloseIdleConnections()
	// The core's HTTP client keeps its connections to the simulator, up to one a sequence, two
	// goroutines each, until they have been idle for a while; a leak would be per run.
	slack := 2*loadSeqs + 4
	n := settleGoroutines(baseGoroutines + slack)
	t.Logf("%d goroutines after the runs, %d before", n, baseGoroutines)
	if n > baseGoroutines+slack {
		var dump strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&dump, 1)
		t.Fatalf("%d goroutines after the runs, %d before:\n%s", n, baseGoroutines, dump.String())
	}
	// The finished runs are kept for GET: their views, outputs and events, a few KiB each.
	grown := int64(heapAfterGC()) - int64(baseHeap)
	t.Logf("heap grew by %d bytes over %d finished runs", grown, loadRuns)
	if perRun := grown / loadRuns; perRun > 64<<10 {
		t.Fatalf("heap grew by %d bytes, %d per finished run; want at most 64 KiB each", grown, perRun)
	}
}
