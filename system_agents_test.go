package aios

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/policy"
)

// agentsDir builds testdata/agents (parent, worker, bomb) for wasip1 once per test binary
// into a directory of its own, which the tests configure as [agents] dir, with the modules
// written in WebAssembly text (first, ping, pong).
var agentsDir = sync.OnceValues(func() (string, error) {
	dir, err := binaryTempDir("aios-test-agents-")
	if err != nil {
		return "", err
	}
	for _, name := range []string{"parent", "worker", "bomb"} {
		if err := goBuildWasip1(filepath.Join("testdata", "agents"), "./"+name, filepath.Join(dir, name+".wasm")); err != nil {
			return "", err
		}
	}
	for _, name := range []string{"first.wasm", "ping.wasm", "pong.wasm"} { // built from .wat
		b, err := os.ReadFile(filepath.Join("testdata", "agents", name))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
})

// spawnGrant grants every agent the models, classes and agent_spawn.
var spawnGrant = policy.Grant{Agent: "*", Capabilities: policy.Capabilities{Models: []string{"*"}, Classes: []string{"*"}, Calls: []string{"agent_spawn"}}}

// spawner is the identity of an unpackaged agent that declares agent_spawn.
var spawnerIdentity = policy.Agent{Capabilities: policy.Capabilities{Models: []string{"*"}, Classes: []string{"*"}, Calls: []string{"agent_spawn"}}}

// agentSystem returns a System on the echo core whose [agents] dir holds the test agents,
// with grants and agent limits lim, and loads parent.
func agentSystem(t testing.TB, grants []policy.Grant, lim config.Agents, agent string) (*System, *Agent) {
	t.Helper()
	dir, err := agentsDir()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	shareCompileCache(t, cfg.DataDir)
	lim.Dir = dir
	cfg.Agents = lim
	cfg.Policy.Configured = true
	cfg.Policy.Engine.Grants = grants
	ctx := context.Background()
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	wasm, err := os.ReadFile(filepath.Join(dir, agent+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Load(ctx, agent, wasm)
	if err != nil {
		t.Fatal(err)
	}
	return s, a
}

func runAgent(t testing.TB, a *Agent, input string) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a hang guard
	defer cancel()
	res, err := a.Run(ctx, RunOptions{Input: []byte(input), Identity: spawnerIdentity})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestAgentsMessagesWAT: two agents written in WebAssembly text (testdata/agents/ping.wat and
// pong.wat) exchange ten messages over ABI 1.4's msg_send_bytes and msg_recv_bytes, through a
// real engine, policy and audit; the parent outputs a duration per round trip.
func TestAgentsMessagesWAT(t *testing.T) {
	_, a := agentSystem(t, []policy.Grant{spawnGrant}, config.Agents{}, "ping")
	res := runAgent(t, a, "10")
	if res.ExitCode != 0 || len(res.Output) != 80 || len(res.Children) != 1 || res.Children[0].Name != "pong" {
		t.Fatalf("exit %d (%v), %d bytes of output, children %+v; want 10 round trips with pong", res.ExitCode, res.Err, len(res.Output), res.Children)
	}
	for i := 0; i < 80; i += 8 {
		if d := binary.LittleEndian.Uint64(res.Output[i:]); d == 0 || d > uint64(time.Hour) {
			t.Errorf("round trip %d took %d ns", i/8, d)
		}
	}
}

// TestAgentsFanOut: a parent starts two children that each make an LLM call on the echo core
// and message it; it waits for both and combines their answers. The run's result holds the
// tree.
func TestAgentsFanOut(t *testing.T) {
	_, a := agentSystem(t, []policy.Grant{spawnGrant}, config.Agents{}, "parent")
	res := runAgent(t, a, "fanout")
	out := string(res.Output)
	if res.ExitCode != 0 || !strings.Contains(out, "alpha") || !strings.Contains(out, "beta") || !strings.Contains(out, " + ") {
		t.Fatalf("exit %d, output %q (err %v), want both answers combined", res.ExitCode, out, res.Err)
	}
	if len(res.Children) != 2 {
		t.Fatalf("children = %+v, want 2", res.Children)
	}
	tokens := 0
	for _, c := range res.Children {
		if c.Name != "worker" || c.Status != "exited" || c.ExitCode != 0 || c.Usage.Generations != 1 || c.PID == res.PID {
			t.Errorf("child %+v", c)
		}
		tokens += c.Usage.InputTokens + c.Usage.OutputTokens
	}
	if !strings.Contains(out, fmt.Sprintf("children spent %d tokens", tokens)) {
		t.Errorf("output %q does not report the %d tokens the tree shows", out, tokens)
	}
}

// TestAgentsChildBudgetBinds: a child's generation past its budget fails with EQUOTA inside
// the child; the parent goes on and generates.
func TestAgentsChildBudgetBinds(t *testing.T) {
	_, a := agentSystem(t, []policy.Grant{spawnGrant}, config.Agents{}, "parent")
	res := runAgent(t, a, "budget")
	out := string(res.Output)
	if res.ExitCode != 0 || !strings.Contains(out, "child exited exit 3: EQUOTA") || !strings.Contains(out, "parent goes on") {
		t.Fatalf("exit %d, output %q, want the child refused and the parent answered", res.ExitCode, out)
	}
	if c := res.Children[0]; c.Usage.BudgetRefusals != 1 || !strings.Contains(c.Usage.Exhausted, "20 tokens") {
		t.Errorf("child usage = %+v, want one refusal by its 20-token budget", c.Usage)
	}
}

// TestAgentsBudgetCarvedFromParent: with a budget of its own, a parent cannot give its
// children more than it has left.
func TestAgentsBudgetCarvedFromParent(t *testing.T) {
	_, a := agentSystem(t, []policy.Grant{spawnGrant}, config.Agents{}, "parent")
	a.budget.Tokens = 1500 // fanout gives each of two children 1,000
	res := runAgent(t, a, "fanout")
	if res.ExitCode != 2 || !strings.Contains(string(res.Output), "spawn: ") || !strings.Contains(string(res.Output), "EQUOTA") {
		t.Fatalf("exit %d, output %q, want the second spawn refused by the parent's budget", res.ExitCode, res.Output)
	}
	if len(res.Children) != 1 || res.Children[0].Status != "canceled" {
		t.Errorf("children = %+v, want the first, canceled when its parent ended", res.Children)
	}
}

// TestAgentsSpawnDenied: without a grant, agent_spawn is EPERM with the policy's reason.
func TestAgentsSpawnDenied(t *testing.T) {
	noSpawn := spawnGrant
	noSpawn.Capabilities.Calls = nil
	_, a := agentSystem(t, []policy.Grant{noSpawn}, config.Agents{}, "parent")
	res := runAgent(t, a, "fanout")
	out := string(res.Output)
	if res.ExitCode != 2 || !strings.Contains(out, "EPERM") || !strings.Contains(out, `call "agent_spawn" is not granted`) {
		t.Fatalf("exit %d, output %q, want EPERM naming the missing grant", res.ExitCode, out)
	}
	if len(res.Children) != 0 {
		t.Errorf("children = %+v, want none", res.Children)
	}
}

// TestAgentsSpawnBomb: an agent that starts itself is stopped by the depth limit with a clear
// error, and everything it started ends.
func TestAgentsSpawnBomb(t *testing.T) {
	s, a := agentSystem(t, []policy.Grant{spawnGrant}, config.Agents{MaxDepth: 4}, "bomb")
	runAgent(t, a, "") // warm: compile bomb.wasm once, start the engine's goroutines
	base := runtime.NumGoroutine()
	res := runAgent(t, a, "")
	out := string(res.Output)
	if res.ExitCode != 3 || !strings.Contains(out, "ELIMIT") || !strings.Contains(out, "(depth)") {
		t.Fatalf("exit %d, output %q, want the depth limit's refusal passed up", res.ExitCode, out)
	}
	depth := 0
	for cs := res.Children; len(cs) > 0; cs = cs[0].Children {
		if cs[0].Name != "bomb" || cs[0].Status != "exited" {
			t.Errorf("generation %d: %+v", depth+1, cs[0])
		}
		depth++
	}
	if depth != 4 {
		t.Errorf("the bomb went %d generations deep, want 4", depth)
	}
	settleGoroutines(t, base)
	settleProcesses(t, s)
}

// TestAgentsParentExitEndsChildren: children still running when their parent ends are
// cancelled, and the host returns to where it was.
func TestAgentsParentExitEndsChildren(t *testing.T) {
	s, a := agentSystem(t, []policy.Grant{spawnGrant}, config.Agents{}, "parent")
	runAgent(t, a, "orphan") // warm
	base := runtime.NumGoroutine()
	res := runAgent(t, a, "orphan")
	if res.ExitCode != 0 || string(res.Output) != "left" || len(res.Children) != 2 {
		t.Fatalf("exit %d, output %q, children %+v", res.ExitCode, res.Output, res.Children)
	}
	for _, c := range res.Children {
		if c.Status != "canceled" {
			t.Errorf("child %+v, want canceled", c)
		}
	}
	settleGoroutines(t, base)
	settleProcesses(t, s)
}

// TestAgentsKilledParentCancelsChildren: a parent cancelled while it waits takes its children
// with it.
func TestAgentsKilledParentCancelsChildren(t *testing.T) {
	s, a := agentSystem(t, []policy.Grant{spawnGrant}, config.Agents{}, "parent")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *Result, 1)
	go func() {
		res, err := a.Run(ctx, RunOptions{Input: []byte("hold"), Identity: spawnerIdentity})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	// Wait until the parent waits for its child, which waits for a message.
	deadline := time.Now().Add(time.Minute)
	for {
		procs := s.Kernel().Processes()
		if len(procs) == 2 && procs[0].State == kernel.Blocked && procs[1].State == kernel.Blocked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the parent never waited for its child: %+v", procs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	res := <-done
	if res.ExitCode == 0 || len(res.Children) != 1 || res.Children[0].Status != "canceled" {
		t.Fatalf("exit %d, children %+v, want the parent ended and its child canceled", res.ExitCode, res.Children)
	}
	settleProcesses(t, s)
}

// settleProcesses waits until s's process table is empty. A child's status is final when its
// parent's run returns, but the child's own goroutine reaps its process after its module has
// closed, which may come later (and a goroutine count taken just after an earlier run may
// include such goroutines). A hang guard of a minute fails the test.
func settleProcesses(t testing.TB, s *System) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for n := len(s.Kernel().Processes()); n != 0; n = len(s.Kernel().Processes()) {
		if time.Now().After(deadline) {
			t.Fatalf("%d processes left in the table a minute after the runs ended", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settleGoroutines waits until the number of goroutines is back to at most base; a hang guard
// of a minute fails the test with every goroutine's stack.
func settleGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTighterBudget(t *testing.T) {
	for _, c := range []struct{ a, b, want quota.Limit }{
		{quota.Limit{}, quota.Limit{}, quota.Limit{}},
		{quota.Limit{Tokens: 100}, quota.Limit{}, quota.Limit{Tokens: 100}},
		{quota.Limit{}, quota.Limit{Tokens: 50, Money: 7}, quota.Limit{Tokens: 50, Money: 7}},
		{quota.Limit{Tokens: 100, Money: 5}, quota.Limit{Tokens: 50, Money: 9}, quota.Limit{Tokens: 50, Money: 5}},
	} {
		if got := tighter(c.a, c.b); got != c.want {
			t.Errorf("tighter(%+v, %+v) = %+v, want %+v", c.a, c.b, got, c.want)
		}
	}
}
