package kernel_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// goSpawner runs children as Go functions, by module name, the way the root package runs
// modules: on a goroutine of their own, ending their children and then themselves.
type goSpawner struct {
	k      *kernel.Kernel
	agents map[string]func(ctx context.Context, p *kernel.Process) (int, error)
	wg     sync.WaitGroup
}

func (s *goSpawner) StartChild(ctx context.Context, _ *kernel.Process, module string, _ kernel.SpawnRequest, spec kernel.Spec) (*kernel.Process, error) {
	run, ok := s.agents[module]
	if !ok {
		return nil, fmt.Errorf("%w: module %q", kernel.ErrNoAgent, module)
	}
	p, err := s.k.Spawn(spec)
	if err != nil {
		return nil, err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		code, err := run(ctx, p)
		p.End(code, err)
		s.k.Reap(p.PID())
	}()
	return p, nil
}

// agentKernel returns a kernel whose children are agents, with lim and a ledger.
func agentKernel(t testing.TB, lim kernel.AgentLimits, agents map[string]func(context.Context, *kernel.Process) (int, error)) (*kernel.Kernel, *goSpawner) {
	t.Helper()
	s := &goSpawner{agents: agents}
	s.k = kernel.New(kernel.Cores{words{"a"}}, kernel.WithAgents(s, lim), kernel.WithLedger(quota.NewLedger()))
	t.Cleanup(s.wg.Wait)
	return s.k, s
}

// settle waits until the number of goroutines is back to at most base (a hang guard of a minute).
func settle(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSpawnWaitMessage(t *testing.T) {
	ctx := context.Background()
	k, _ := agentKernel(t, kernel.AgentLimits{}, map[string]func(context.Context, *kernel.Process) (int, error){
		"worker.wasm": func(ctx context.Context, p *kernel.Process) (int, error) {
			resp, err := p.Generate(ctx, llm.Request{Messages: user("two words")}, nil)
			if err != nil {
				return 1, err
			}
			parent := p.PID() - 1 // the test's parent is spawned just before
			if err := p.SendMessage(ctx, parent, []byte(resp.Text)); err != nil {
				return 2, err
			}
			_ = p.Output([]byte("done"))
			return 7, nil
		},
	})
	parent, err := k.Spawn(kernel.Spec{Name: "parent"})
	if err != nil {
		t.Fatal(err)
	}
	child, err := parent.SpawnAgent(ctx, "worker.wasm", kernel.SpawnRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if child.Name() != "worker" {
		t.Errorf("child name = %q, want worker", child.Name())
	}
	m, err := parent.RecvMessage(ctx, time.Minute)
	if err != nil || m.From != child.PID() || string(m.Body) != "words two" {
		t.Fatalf("recv = %+v %v, want the child's generation from pid %d", m, err, child.PID())
	}
	in, err := parent.WaitAgent(ctx, child.PID(), -1)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != "exited" || in.ExitCode != 7 || string(in.Output) != "done" || in.Usage.OutputTokens != 2 {
		t.Errorf("wait = %+v, want exited 7 with output and 2 output tokens", in)
	}
	if _, err := parent.WaitAgent(ctx, 999, 0); !errors.Is(err, kernel.ErrNoAgent) {
		t.Errorf("wait for a stranger: %v, want ErrNoAgent", err)
	}
	if _, err := parent.RecvMessage(ctx, 0); !errors.Is(err, kernel.ErrNoMessage) {
		t.Errorf("recv on an empty mailbox with no timeout: %v, want ErrNoMessage", err)
	}
	if _, err := parent.RecvMessage(ctx, 5*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("recv past its timeout: %v, want DeadlineExceeded", err)
	}
	parent.End(0, nil)
	cs := parent.Children()
	if len(cs) != 1 || cs[0].PID != child.PID() || cs[0].Status != "exited" {
		t.Errorf("children = %+v", cs)
	}
}

func TestParentEndCancelsChildren(t *testing.T) {
	base := runtime.NumGoroutine()
	ctx := context.Background()
	blocked := make(chan struct{}, 16)
	var k *kernel.Kernel
	agents := map[string]func(context.Context, *kernel.Process) (int, error){}
	agents["sleeper.wasm"] = func(ctx context.Context, p *kernel.Process) (int, error) {
		if _, err := p.SpawnAgent(ctx, "waiter.wasm", kernel.SpawnRequest{}); err != nil {
			return 1, err
		}
		blocked <- struct{}{}
		<-ctx.Done()
		return -1, ctx.Err()
	}
	agents["waiter.wasm"] = func(ctx context.Context, p *kernel.Process) (int, error) {
		blocked <- struct{}{}
		_, err := p.RecvMessage(ctx, -1)
		return -1, err
	}
	k, sp := agentKernel(t, kernel.AgentLimits{}, agents)
	parent, _ := k.Spawn(kernel.Spec{Name: "parent"})
	c1, err := parent.SpawnAgent(ctx, "sleeper.wasm", kernel.SpawnRequest{})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := parent.SpawnAgent(ctx, "sleeper.wasm", kernel.SpawnRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		<-blocked
	}
	if err := parent.KillAgent(ctx, c2.PID()); err != nil {
		t.Fatal(err)
	}
	if in, _ := parent.WaitAgent(ctx, c2.PID(), -1); in.Status != "killed" || len(in.Children) != 1 || in.Children[0].Status != "canceled" {
		t.Errorf("killed child = %+v, want killed with its child canceled", in)
	}
	parent.End(0, nil)
	cs := parent.Children()
	if len(cs) != 2 || cs[0].PID != c1.PID() || cs[0].Status != "canceled" || cs[0].Children[0].Status != "canceled" {
		t.Errorf("children after the parent ended = %+v", cs)
	}
	if _, err := parent.SpawnAgent(ctx, "sleeper.wasm", kernel.SpawnRequest{}); !errors.Is(err, context.Canceled) {
		t.Errorf("spawn after the end: %v, want Canceled", err)
	}
	k.Reap(parent.PID())
	sp.wg.Wait()
	if n := len(k.Processes()); n != 0 {
		t.Errorf("%d processes left in the table", n)
	}
	settle(t, base)
}

func TestAgentLimits(t *testing.T) {
	ctx := context.Background()
	agents := map[string]func(context.Context, *kernel.Process) (int, error){}
	// A bomb spawns itself until a limit refuses it, and reports the refusal as its output.
	agents["bomb.wasm"] = func(ctx context.Context, p *kernel.Process) (int, error) {
		c, err := p.SpawnAgent(ctx, "bomb.wasm", kernel.SpawnRequest{})
		if err != nil {
			_ = p.Output([]byte(err.Error()))
			return 3, nil
		}
		in, err := p.WaitAgent(ctx, c.PID(), -1)
		if err != nil {
			return 1, err
		}
		_ = p.Output(in.Output)
		return in.ExitCode, nil
	}
	agents["idle.wasm"] = func(ctx context.Context, p *kernel.Process) (int, error) {
		<-ctx.Done()
		return 0, nil
	}
	k, _ := agentKernel(t, kernel.AgentLimits{Children: 2, Depth: 3, Tree: 4}, agents)

	root, _ := k.Spawn(kernel.Spec{Name: "root"})
	c, err := root.SpawnAgent(ctx, "bomb.wasm", kernel.SpawnRequest{})
	if err != nil {
		t.Fatal(err)
	}
	in, err := root.WaitAgent(ctx, c.PID(), -1)
	if err != nil || in.ExitCode != 3 || !containsAll(string(in.Output), "agent limit reached", "(depth)") {
		t.Fatalf("bomb = %+v %v, want exit 3 naming the depth limit", in, err)
	}
	depth := 0
	for cs := root.Children(); len(cs) > 0; cs = cs[0].Children {
		depth++
	}
	if depth != 3 {
		t.Errorf("the bomb went %d generations deep, want 3", depth)
	}

	for range 2 {
		if _, err := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{}); !errors.Is(err, kernel.ErrAgentLimit) || !containsAll(err.Error(), "(children)") {
		t.Errorf("a third live child: %v, want the children limit", err)
	}
	first := root.Children()[1]
	sub, _ := k.Process(first.PID)
	if sub == nil {
		t.Fatalf("child %d is not in the table", first.PID)
	}
	if _, err := sub.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{}); !errors.Is(err, kernel.ErrAgentLimit) || !containsAll(err.Error(), "(tree)") {
		t.Errorf("a fifth live agent: %v, want the tree limit", err)
	}
	root.End(0, nil)
}

func TestMailboxBounds(t *testing.T) {
	ctx := context.Background()
	k, _ := agentKernel(t, kernel.AgentLimits{Mailbox: 2, Message: 8}, map[string]func(context.Context, *kernel.Process) (int, error){
		"idle.wasm": func(ctx context.Context, p *kernel.Process) (int, error) { <-ctx.Done(); return 0, nil },
	})
	root, _ := k.Spawn(kernel.Spec{Name: "root"})
	a, _ := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{})
	b, _ := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{})
	pa, _ := k.Process(a.PID())
	if err := pa.SendMessage(ctx, b.PID(), []byte("sibling")); err != nil {
		t.Fatalf("to a sibling: %v", err)
	}
	if err := root.SendMessage(ctx, b.PID(), []byte("parent")); err != nil {
		t.Fatalf("to a child: %v", err)
	}
	if err := root.SendMessage(ctx, b.PID(), []byte("three")); !errors.Is(err, kernel.ErrMailboxFull) {
		t.Errorf("to a full mailbox: %v, want ErrMailboxFull", err)
	}
	if err := root.SendMessage(ctx, a.PID(), []byte("123456789")); !errors.Is(err, kernel.ErrMessageSize) {
		t.Errorf("9 bytes past an 8-byte bound: %v, want ErrMessageSize", err)
	}
	if err := root.SendMessage(ctx, root.PID(), nil); !errors.Is(err, kernel.ErrNoAgent) {
		t.Errorf("to itself: %v, want ErrNoAgent", err)
	}
	other, _ := k.Spawn(kernel.Spec{Name: "other"})
	if err := other.SendMessage(ctx, a.PID(), nil); !errors.Is(err, kernel.ErrNoAgent) {
		t.Errorf("into another tree: %v, want ErrNoAgent", err)
	}
	pb, _ := k.Process(b.PID())
	for _, want := range []string{"sibling", "parent"} {
		if m, err := pb.RecvMessage(ctx, 0); err != nil || string(m.Body) != want {
			t.Errorf("recv = %q %v, want %q (in order)", m.Body, err, want)
		}
	}
	root.End(0, nil)
	if err := pa.SendMessage(ctx, b.PID(), nil); !errors.Is(err, kernel.ErrNoAgent) {
		t.Errorf("to an ended sibling: %v, want ErrNoAgent", err)
	}
}

func TestChildBudgetCarved(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	k, _ := agentKernel(t, kernel.AgentLimits{}, map[string]func(context.Context, *kernel.Process) (int, error){
		"idle.wasm": func(ctx context.Context, p *kernel.Process) (int, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return 0, nil
		},
	})
	root, err := k.Spawn(kernel.Spec{Name: "root", Budget: quota.Limit{Tokens: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{Budget: quota.Amount{Tokens: 101}}); !errors.Is(err, quota.ErrExhausted) {
		t.Errorf("a child budget past the parent's: %v, want ErrExhausted", err)
	}
	c, err := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{Budget: quota.Amount{Tokens: 60}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{Budget: quota.Amount{Tokens: 41}}); !errors.Is(err, quota.ErrExhausted) {
		t.Errorf("41 tokens with 40 left: %v, want ErrExhausted", err)
	}
	rest, err := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{}) // takes the 40 left
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{}); !errors.Is(err, quota.ErrExhausted) {
		t.Errorf("a child with nothing left: %v, want ErrExhausted", err)
	}
	close(release)
	for _, pid := range []kernel.PID{c.PID(), rest.PID()} {
		if _, err := root.WaitAgent(ctx, pid, -1); err != nil {
			t.Fatal(err)
		}
	}
	// Both spent nothing: the parent has its 100 tokens again.
	if _, err := root.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{Budget: quota.Amount{Tokens: 100}}); err != nil {
		t.Errorf("after the children spent nothing: %v, want the whole budget back", err)
	}
	root.End(0, nil)
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestChildRecordsBounded(t *testing.T) {
	ctx := context.Background()
	k, _ := agentKernel(t, kernel.AgentLimits{}, map[string]func(context.Context, *kernel.Process) (int, error){
		"quick.wasm": func(ctx context.Context, p *kernel.Process) (int, error) { return 0, p.Output(make([]byte, 1000)) },
	})
	root, _ := k.Spawn(kernel.Spec{Name: "root"})
	var first kernel.PID
	for i := range kernel.MaxChildRecords + 10 {
		c, err := root.SpawnAgent(ctx, "quick.wasm", kernel.SpawnRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = c.PID()
		}
		if _, err := root.WaitAgent(ctx, c.PID(), -1); err != nil {
			t.Fatal(err)
		}
	}
	if n, f := len(root.Children()), root.ForgottenChildren(); n != kernel.MaxChildRecords || f != 10 {
		t.Errorf("%d records and %d forgotten, want %d and 10", n, f, kernel.MaxChildRecords)
	}
	if _, err := root.WaitAgent(ctx, first, 0); !errors.Is(err, kernel.ErrNoAgent) {
		t.Errorf("wait for a forgotten child: %v, want ErrNoAgent", err)
	}
	root.End(0, nil)
}
