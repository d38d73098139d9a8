package runtime

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/limits"
)

// testCore is a deterministic LLM core that echoes the last message.
type testCore struct{}

func (testCore) Name() string     { return "test" }
func (testCore) Models() []string { return nil }
func (testCore) Generate(_ context.Context, req llm.Request, _ func(llm.Chunk)) (llm.Response, error) {
	text := req.Messages[len(req.Messages)-1].Content
	return llm.Response{Text: text, FinishReason: "stop", Model: "echo", Core: "test"}, nil
}

// runSpec is one agent run in a test: its inputs and limits.
type runSpec struct {
	input []byte
	args  []string
	env   []string
	lim   limits.Limits
	ctx   context.Context
}

// agentRun is what a run left behind.
type agentRun struct {
	err     error
	report  RunReport
	proc    *kernel.Process
	elapsed time.Duration

	mu  sync.Mutex
	log []string
}

func (r *agentRun) logText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.log, "\n")
}

// runModule runs m once as a new process of a new kernel.
func runModule(t testing.TB, m Module, s runSpec) *agentRun {
	t.Helper()
	k := kernel.New(kernel.Cores{testCore{}})
	lim := s.lim.Or(limits.Defaults())
	run := &agentRun{}
	proc, err := k.Spawn(kernel.Spec{
		Name: "agent", Input: s.input, Args: s.args, Env: s.env, Seed: 1,
		Limits: kernel.Limits{Log: lim.Log, Output: lim.Output},
		Events: func(e kernel.Event) {
			if e.Kind == kernel.EventLog {
				run.mu.Lock()
				run.log = append(run.log, e.Text)
				run.mu.Unlock()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := s.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	run.proc = proc
	start := time.Now()
	run.report, run.err = m.Run(ctx, hostcalls.NewGuest(proc, lim), lim)
	run.elapsed = time.Since(start)
	return run
}

// compile compiles wasm on e, failing the test on error, and closes the module at the end.
func compile(t testing.TB, e Engine, wasm []byte) Module {
	t.Helper()
	m, err := e.Compile(context.Background(), wasm)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}
