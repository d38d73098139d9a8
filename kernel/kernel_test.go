package kernel_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
)

// words is a deterministic test core: it answers with the last message's words reversed,
// streaming one word per chunk, and counts words as tokens.
type words struct{ name string }

func (w words) Name() string     { return w.name }
func (w words) Models() []string { return []string{w.name + "-model"} }
func (w words) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	in := strings.Fields(req.Messages[len(req.Messages)-1].Content)
	out := make([]string, 0, len(in))
	for i := len(in) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return llm.Response{}, err
		}
		out = append(out, in[i])
		if onChunk != nil {
			onChunk(llm.Chunk{Text: in[i] + " "})
		}
	}
	return llm.Response{Text: strings.Join(out, " "), FinishReason: "stop",
		Usage: llm.Usage{InputTokens: len(in), OutputTokens: len(out)}}, nil
}

func user(s string) []llm.Message { return []llm.Message{{Role: "user", Content: s}} }

func TestProcessTable(t *testing.T) {
	k := kernel.New(kernel.Cores{words{"a"}})
	p1, err := k.Spawn(kernel.Spec{Name: "one"})
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := k.Spawn(kernel.Spec{Name: "two"})
	if p1.PID() == p2.PID() {
		t.Fatalf("two processes share pid %d", p1.PID())
	}
	ps := k.Processes()
	if len(ps) != 2 || ps[0].Name != "one" || ps[1].Name != "two" || ps[0].State != kernel.Running {
		t.Fatalf("table = %+v, want one and two running, in pid order", ps)
	}
	if _, ok := k.Reap(p1.PID()); ok && len(k.Processes()) != 2 {
		t.Fatal("Reap removed a process that had not exited")
	}
	p1.Exit(3)
	info, ok := k.Reap(p1.PID())
	if !ok || info.State != kernel.Exited || info.ExitCode != 3 {
		t.Fatalf("Reap = %+v %v, want exited with code 3", info, ok)
	}
	if n := len(k.Processes()); n != 1 {
		t.Fatalf("after reaping one of two, table has %d entries", n)
	}
	if _, err := k.Spawn(kernel.Spec{}); err == nil {
		t.Fatal("Spawn without a name succeeded")
	}
}

func TestGenerateRoutesAndAccounts(t *testing.T) {
	var mu sync.Mutex
	var tokens []string
	k := kernel.New(kernel.Cores{words{"a"}, words{"b"}})
	p, _ := k.Spawn(kernel.Spec{Name: "agent", Events: func(e kernel.Event) {
		if e.Kind == kernel.EventToken {
			mu.Lock()
			tokens = append(tokens, e.Text)
			mu.Unlock()
		}
	}})
	resp, err := p.Generate(context.Background(), llm.Request{Model: "b-model", Messages: user("one two three"), Stream: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "three two one" || resp.Core != "b" {
		t.Fatalf("response = %+v, want reversed text from core b", resp)
	}
	if got := strings.Join(tokens, ""); got != "three two one " {
		t.Fatalf("streamed events = %q", got)
	}
	u := p.Info().Usage
	if u.Generations != 1 || u.InputTokens != 3 || u.OutputTokens != 3 {
		t.Fatalf("usage = %+v, want 1 generation, 3 in, 3 out", u)
	}
	if p.State() != kernel.Running {
		t.Fatalf("state after generate = %v, want running", p.State())
	}

	if _, err := p.Generate(context.Background(), llm.Request{Model: "nope", Messages: user("x")}, nil); !errors.Is(err, llm.ErrNoModel) {
		t.Fatalf("unknown model: err = %v, want ErrNoModel", err)
	}
	if _, err := p.Generate(context.Background(), llm.Request{}, nil); !errors.Is(err, kernel.ErrInvalid) {
		t.Fatalf("no messages: err = %v, want ErrInvalid", err)
	}
	if u := p.Info().Usage; u.Generations != 1 {
		t.Fatalf("failed generations were counted: %+v", u)
	}
}

func TestOutputLimit(t *testing.T) {
	k := kernel.New(kernel.Cores{words{"a"}})
	p, _ := k.Spawn(kernel.Spec{Name: "agent", Limits: kernel.Limits{Output: 8}})
	if err := p.Output([]byte("12345")); err != nil {
		t.Fatal(err)
	}
	if err := p.Output([]byte("6789")); !errors.Is(err, kernel.ErrOutputLimit) {
		t.Fatalf("err = %v, want ErrOutputLimit", err)
	}
	if got := string(p.OutputBytes()); got != "12345" {
		t.Fatalf("output = %q, want the first write only", got)
	}
}

func TestLogLimitTruncatesAndSaysSo(t *testing.T) {
	var lines []string
	k := kernel.New(kernel.Cores{words{"a"}})
	p, _ := k.Spawn(kernel.Spec{Name: "agent", Limits: kernel.Limits{Log: 10}, Events: func(e kernel.Event) {
		lines = append(lines, e.Text)
	}})
	p.Log(1, "0123456")
	p.Log(1, "789abcdef")
	p.Log(1, "dropped")
	if len(lines) != 3 || lines[0] != "0123456" || lines[1] != "789" || !strings.Contains(lines[2], "log limit") {
		t.Fatalf("log events = %q, want the first line, a truncated second, and one notice", lines)
	}
	if u := p.Info().Usage; u.LogBytes != 10 {
		t.Fatalf("log bytes = %d, want 10", u.LogBytes)
	}
}

func TestRandomIsSeeded(t *testing.T) {
	k := kernel.New(kernel.Cores{words{"a"}})
	a, _ := k.Spawn(kernel.Spec{Name: "a", Seed: 42})
	b, _ := k.Spawn(kernel.Spec{Name: "b", Seed: 42})
	x, y := make([]byte, 16), make([]byte, 16)
	a.Random(x)
	b.Random(y)
	if string(x) != string(y) {
		t.Fatal("same seed gave different bytes")
	}
}

func TestBlockMarksState(t *testing.T) {
	k := kernel.New(kernel.Cores{words{"a"}})
	p, _ := k.Spawn(kernel.Spec{Name: "a"})
	unblock := p.Block()
	if p.State() != kernel.Blocked {
		t.Fatalf("state = %v, want blocked", p.State())
	}
	unblock()
	if p.State() != kernel.Running {
		t.Fatalf("state = %v, want running", p.State())
	}
}
