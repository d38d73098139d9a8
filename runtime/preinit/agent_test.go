package preinit_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/runtime"
)

// echoCore is a deterministic LLM core that echoes the last message.
type echoCore struct{}

func (echoCore) Name() string     { return "echo" }
func (echoCore) Models() []string { return nil }
func (echoCore) Generate(_ context.Context, req llm.Request, _ func(llm.Chunk)) (llm.Response, error) {
	text := req.Messages[len(req.Messages)-1].Content
	return llm.Response{Text: text, FinishReason: "stop", Model: "echo", Core: "echo"}, nil
}

// runSpec is what one run is given.
type runSpec struct {
	input []byte
	args  []string
	env   []string
}

// outcome is what one run shows the world: how it ended, its log and its output.
type outcome struct {
	exit   string
	log    string
	output string
}

// runOnce compiles wasm on e and runs it once as a new process of a new kernel.
func runOnce(t testing.TB, e runtime.Engine, wasm []byte, s runSpec) outcome {
	t.Helper()
	ctx := context.Background()
	m, err := e.Compile(ctx, wasm)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	defer m.Close(ctx)
	var (
		mu  sync.Mutex
		log []string
	)
	proc, err := kernel.New(kernel.Cores{echoCore{}}).Spawn(kernel.Spec{
		Name: "agent", Input: s.input, Args: s.args, Env: s.env, Seed: 1,
		Events: func(ev kernel.Event) {
			if ev.Kind == kernel.EventLog {
				mu.Lock()
				log = append(log, ev.Text)
				mu.Unlock()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	lim := limits.Defaults()
	_, err = m.Run(ctx, hostcalls.NewGuest(proc, lim), lim)
	o := outcome{exit: "ok", output: string(proc.OutputBytes())}
	var exit *hostcalls.ExitError
	switch {
	case errors.As(err, &exit):
		o.exit = exit.Error()
	case err != nil:
		o.exit = "error: " + err.Error()
	}
	mu.Lock()
	o.log = strings.Join(log, "\n")
	mu.Unlock()
	return o
}

// forEachEngine runs f once for every engine this build has (wasmtime only with its tag).
func forEachEngine(t *testing.T, f func(t *testing.T, e runtime.Engine)) {
	for _, name := range runtime.Engines() {
		t.Run(name, func(t *testing.T) {
			e, err := runtime.NewEngine(context.Background(), name, runtime.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close(context.Background())
			f(t, e)
		})
	}
}
