package aios

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel/quota"
)

// TestConcurrentRunsShareOneBudget starts eight real `aios run` processes on one data
// directory, each running testdata/spend.wasm (generate until refused) under one agent budget:
// together they reach the budget, to within one reservation per process, and never pass it; the
// ledger file holds exactly what the processes say they used.
func TestConcurrentRunsShareOneBudget(t *testing.T) {
	const procs, budget = 8, 2000 // one process spends at most 600 (100 calls), so several must share
	dir := t.TempDir()
	bin := filepath.Join(dir, "aios")
	build := exec.Command("go", "build", "-o", bin, "./cmd/aios")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	host := filepath.Join(dir, "host.toml")
	if err := os.WriteFile(host, []byte("[quotas.agents.spend]\ntokens = "+strconv.Itoa(budget)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	agent, err := filepath.Abs(filepath.Join("testdata", "spend.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	env := append(os.Environ(), "AIOS_DATA_DIR="+data, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))

	outs := make([]bytes.Buffer, procs)
	var wg sync.WaitGroup
	for i := range procs {
		cmd := exec.Command(bin, "run", agent, "--config", host, "--json")
		cmd.Env, cmd.Stdout, cmd.Dir = env, &outs[i], dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := cmd.Wait(); err != nil {
				t.Errorf("aios run %d: %v\n%s", i, err, stderr.String())
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	var used, spenders, refused, largest int64
	requested := regexp.MustCompile(`requested (\d+) tokens`)
	for i := range procs {
		res := runResult(t, outs[i].Bytes())
		n := res.Usage.InputTokens + res.Usage.OutputTokens
		used += n
		if n > 0 {
			spenders++
		}
		if m := requested.FindStringSubmatch(res.Output); m != nil {
			refused++
			r, _ := strconv.ParseInt(m[1], 10, 64)
			largest = max(largest, r)
		}
	}
	l, err := quota.OpenLedger(context.Background(), filepath.Join(data, LedgerFile))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b, err := l.Lookup(quota.Agent, "spend")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d processes, %d of them charged and %d refused: %d of %d tokens used", procs, spenders, refused, b.Used.Tokens, budget)
	if b.Used.Tokens != used || b.Reserved.Tokens != 0 {
		t.Fatalf("the ledger holds %+v; the processes used %d tokens", b, used)
	}
	if used > budget {
		t.Fatalf("%d processes used %d tokens together, over their budget of %d", procs, used, budget)
	}
	if refused == 0 || spenders < 2 {
		t.Fatalf("%d processes refused and %d charged: the budget was not shared", refused, spenders)
	}
	// When the last process was refused, the room left was below its request, and each other
	// process still running held at most one reservation.
	if used <= budget-procs*largest {
		t.Fatalf("%d tokens used of %d: the budget was not reached (requests of up to %d)", used, budget, largest)
	}
}

// runResult reads the result event of `aios run --json`.
func runResult(t *testing.T, out []byte) (res struct {
	Output string
	Usage  struct {
		InputTokens  int64 `json:"input_tokens"`
		OutputTokens int64 `json:"output_tokens"`
	}
}) {
	t.Helper()
	for line := range strings.Lines(string(out)) {
		var ev struct {
			Event string `json:"event"`
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Event == "result" {
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				t.Fatal(err)
			}
			return res
		}
	}
	t.Fatalf("no result event in %s", out)
	return res
}
