package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/workflow"
)

// systemRunner runs steps as real agents on one aios.System, each module compiled once.
type systemRunner struct {
	sys *aios.System
	mu  sync.Mutex
	mod map[string]*aios.Agent
}

func (r *systemRunner) Run(ctx context.Context, s *workflow.Step, input []byte, _ int) workflow.Outcome {
	r.mu.Lock()
	a := r.mod[s.AgentPath]
	if a == nil {
		wasm, err := os.ReadFile(s.AgentPath)
		if err == nil {
			a, err = r.sys.Load(ctx, s.ID, wasm)
		}
		if err != nil {
			r.mu.Unlock()
			return workflow.Outcome{Code: 70, Err: err}
		}
		r.mod[s.AgentPath] = a
	}
	r.mu.Unlock()
	res, err := a.Run(ctx, aios.RunOptions{Input: input, Env: s.Env, Limits: limits.Limits{WallTime: s.Timeout}})
	if err != nil {
		return workflow.Outcome{Code: 70, Err: err}
	}
	out := workflow.Outcome{Code: res.ExitCode, Output: res.Output, Err: res.Err, Detail: res}
	var lim *limits.ExceededError
	if errors.As(res.Err, &lim) {
		out.Code = 72
	}
	return out
}

// TestRunRealAgents runs a workflow of the repository's test agents on one System: outputs of
// real runs wired into the next step's input, an agent's own exit code in a condition, a
// failing step retried then replaced by its fallback, and a step stopped at its timeout.
func TestRunRealAgents(t *testing.T) {
	fixtures, err := filepath.Abs(filepath.Join("..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := fmt.Sprintf(`
name = "real"
[[steps]]
id = "hello"
agent = %[1]q
[[steps]]
id = "ask"
agent = %[2]q
inputs = ["hello"]
[[steps]]
id = "rogue"
agent = %[3]q
retries = 1
fallback = "rescue"
[[steps]]
id = "rescue"
agent = %[1]q
[[steps]]
id = "on72"
agent = %[1]q
when = "rogue.exit == 72"
[[steps]]
id = "slow"
agent = %[4]q
timeout = "50ms"
`, filepath.Join(fixtures, "minimal.wasm"), filepath.Join(fixtures, "generate.wasm"),
		filepath.Join(fixtures, "rogue.wasm"), filepath.Join(fixtures, "sleep.wasm"))
	w, err := workflow.Parse([]byte(file), dir, workflow.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	sys, err := aios.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(ctx)
	r := &systemRunner{sys: sys, mod: map[string]*aios.Agent{}}
	rep := workflow.Run(ctx, w, r, workflow.Options{Backoff: func(int) time.Duration { return time.Millisecond }})

	got := map[string]workflow.StepResult{}
	for _, s := range rep.Steps {
		got[s.ID] = s
	}
	if s := got["hello"]; s.State != workflow.Succeeded || string(s.Output) != "hello from wasm" {
		t.Errorf("hello %+v", s)
	}
	// generate asks the echo core its fixed question; its output is the reply.
	if s := got["ask"]; s.State != workflow.Succeeded || !strings.Contains(string(s.Output), `"text":"echo: hello from a minimal agent"`) {
		t.Errorf("ask %+v, output %s", s, s.Output)
	}
	if s := got["rogue"]; s.State != workflow.Recovered || s.Attempts != 2 || s.Outcome.Code != 72 || string(s.Output) != "hello from wasm" {
		t.Errorf("rogue %+v", s)
	}
	if s := got["on72"]; s.State != workflow.Succeeded {
		t.Errorf("on72 %+v", s)
	}
	var lim *limits.ExceededError
	if s := got["slow"]; s.State != workflow.Failed || !errors.As(s.Outcome.Err, &lim) || lim.Limit != "wall_time" {
		t.Errorf("slow %+v", s)
	}
	if rep.OK() {
		t.Error("slow failed, yet the report is OK")
	}
}
