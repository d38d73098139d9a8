package kernel_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/quota"
)

// resumer is a goSpawner that also brings back children (kernel.ChildResumer): the child of
// journal index i runs resumed[i], with oldParent as the parent's pid in its environment.
type resumer struct {
	*goSpawner
	oldParent kernel.PID
	received  map[kernel.PID]uint64 // what the resumed child's journal shows it received
	resumed   map[int]func(ctx context.Context, p *kernel.Process) (int, error)
}

func (r *resumer) ResumeChild(ctx context.Context, _ *kernel.Process, index int, spec kernel.Spec) (*kernel.Process, string, func(), error) {
	run, ok := r.resumed[index]
	if !ok {
		return nil, "", nil, fmt.Errorf("no record of child %d", index)
	}
	spec.Name, spec.Env = "worker", []string{fmt.Sprintf("%s=%d", kernel.ParentEnv, r.oldParent)}
	p, err := r.k.Spawn(spec)
	if err != nil {
		return nil, "", nil, err
	}
	p.NoteReceived(r.received)
	start := func() {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			code, err := run(ctx, p)
			p.End(code, err)
			r.k.Reap(p.PID())
		}()
	}
	return p, "worker.wasm", start, nil
}

// TestResumeChildrenMessagesOnce resumes a parent whose child (pid 100 before the crash) had
// sent it two messages, of which it had received one, and had been sent two acks, of which it
// had received one: each side's replayed sends are delivered again, the copies already
// received are dropped, the rest arrive once, and both still know each other by their pids
// from before the crash.
func TestResumeChildrenMessagesOnce(t *testing.T) {
	ctx := context.Background()
	const oldChild, oldParent = kernel.PID(100), kernel.PID(50)
	gs := &goSpawner{agents: map[string]func(context.Context, *kernel.Process) (int, error){
		"worker.wasm": func(context.Context, *kernel.Process) (int, error) { return 0, nil },
	}}
	r := &resumer{goSpawner: gs, oldParent: oldParent, received: map[kernel.PID]uint64{oldParent: 1}}
	gs.k = kernel.New(kernel.Cores{words{"a"}}, kernel.WithAgents(r, kernel.AgentLimits{}))
	t.Cleanup(gs.wg.Wait)
	childGot := make(chan string, 4)
	r.resumed = map[int]func(context.Context, *kernel.Process) (int, error){
		3: func(ctx context.Context, p *kernel.Process) (int, error) {
			p.ReplaySent(oldParent, []byte("m1")) // the child's replayed part
			p.ReplaySent(oldParent, []byte("m2"))
			p.Redeliver() // its switch to live
			m, err := p.RecvMessage(ctx, -1)
			if err != nil {
				return 1, err
			}
			childGot <- fmt.Sprintf("%s from %d", m.Body, m.From)
			if _, err := p.RecvMessage(ctx, 0); !errors.Is(err, kernel.ErrNoMessage) {
				return 2, fmt.Errorf("a second ack: %v", err)
			}
			return 0, p.SendMessage(ctx, oldParent, []byte("m3"))
		},
	}
	parent, err := gs.k.Spawn(kernel.Spec{Name: "parent"})
	if err != nil {
		t.Fatal(err)
	}
	parent.NoteReceived(map[kernel.PID]uint64{oldChild: 1}) // its journal: m1 received
	parent.ReplaySent(oldChild, []byte("a1"))               // its replayed part: both acks sent
	parent.ReplaySent(oldChild, []byte("a2"))
	parent.ResumeChildren([]kernel.ReplayedSpawn{{Index: 3, PID: oldChild}})

	var got []string
	for range 2 {
		m, err := parent.RecvMessage(ctx, -1)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s from %d", m.Body, m.From))
	}
	if want := []string{"m2 from 100", "m3 from 100"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the parent received %q, want %q", got, want)
	}
	in, err := parent.WaitAgent(ctx, oldChild, -1)
	if err != nil || in.Status != "exited" || in.ExitCode != 0 || in.PID != oldChild {
		t.Fatalf("wait: %+v, %v", in, err)
	}
	if m := <-childGot; m != "a2 from 50" {
		t.Errorf("the child received %q, want a2 from 50", m)
	}
	if _, err := parent.RecvMessage(ctx, 0); !errors.Is(err, kernel.ErrNoMessage) {
		t.Errorf("a third message: %v", err)
	}
	// A child started live after the resume gets a pid the journal never gave.
	c, err := parent.SpawnAgent(ctx, "worker.wasm", kernel.SpawnRequest{})
	if err != nil || c.PID() <= oldChild {
		t.Errorf("a new child: pid %v, %v; want one past %d", c, err, oldChild)
	}
	parent.End(0, nil)
}

// TestResumeChildrenUnresumable: a child that cannot be brought back is failed, with why, for
// its parent's wait; one the parent had killed is killed.
func TestResumeChildrenUnresumable(t *testing.T) {
	ctx := context.Background()
	gs := &goSpawner{}
	block := func(ctx context.Context, p *kernel.Process) (int, error) {
		<-ctx.Done()
		return -1, ctx.Err()
	}
	r := &resumer{goSpawner: gs, oldParent: 1, resumed: map[int]func(context.Context, *kernel.Process) (int, error){2: block}}
	gs.k = kernel.New(kernel.Cores{words{"a"}}, kernel.WithAgents(r, kernel.AgentLimits{}))
	t.Cleanup(gs.wg.Wait)
	parent, err := gs.k.Spawn(kernel.Spec{Name: "parent"})
	if err != nil {
		t.Fatal(err)
	}
	parent.ResumeChildren([]kernel.ReplayedSpawn{{Index: 1, PID: 7}, {Index: 2, PID: 8, Killed: true}})
	in, err := parent.WaitAgent(ctx, 7, -1)
	if err != nil || in.Status != "failed" || in.PID != 7 || in.Error == "" {
		t.Errorf("the child with no record: %+v, %v", in, err)
	}
	in, err = parent.WaitAgent(ctx, 8, -1)
	if err != nil || in.Status != "killed" || in.PID != 8 {
		t.Errorf("the killed child: %+v, %v", in, err)
	}
	parent.End(0, nil)
}

// TestMessagesNotDroppedWithoutResume: a run that was never resumed delivers every message,
// however many, in order (the sequence numbers only ever drop copies).
func TestMessagesNotDroppedWithoutResume(t *testing.T) {
	ctx := context.Background()
	k, _ := agentKernel(t, kernel.AgentLimits{Mailbox: 4}, map[string]func(context.Context, *kernel.Process) (int, error){
		"echo.wasm": func(ctx context.Context, p *kernel.Process) (int, error) {
			for {
				m, err := p.RecvMessage(ctx, -1)
				if err != nil {
					return 0, nil
				}
				if err := p.SendMessage(ctx, m.From, m.Body); err != nil {
					return 1, err
				}
			}
		},
	})
	parent, err := k.Spawn(kernel.Spec{Name: "parent"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := parent.SpawnAgent(ctx, "echo.wasm", kernel.SpawnRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		body := fmt.Sprint(i)
		if err := parent.SendMessage(ctx, c.PID(), []byte(body)); err != nil {
			t.Fatal(err)
		}
		m, err := parent.RecvMessage(ctx, -1)
		if err != nil || string(m.Body) != body {
			t.Fatalf("round %d: %q, %v", i, m.Body, err)
		}
	}
	parent.End(0, nil)
}

// TestResumeChildrenCarveAgain: a child brought back has the budget its spawn asked for set
// aside from its parent's again, once, and given back when it ends.
func TestResumeChildrenCarveAgain(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	idle := func(ctx context.Context, p *kernel.Process) (int, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return 0, nil
	}
	gs := &goSpawner{agents: map[string]func(context.Context, *kernel.Process) (int, error){"idle.wasm": idle}}
	r := &resumer{goSpawner: gs, oldParent: 1, resumed: map[int]func(context.Context, *kernel.Process) (int, error){2: idle}}
	gs.k = kernel.New(kernel.Cores{words{"a"}}, kernel.WithAgents(r, kernel.AgentLimits{}), kernel.WithLedger(quota.NewLedger()))
	t.Cleanup(gs.wg.Wait)
	parent, err := gs.k.Spawn(kernel.Spec{Name: "parent", Budget: quota.Limit{Tokens: 100}})
	if err != nil {
		t.Fatal(err)
	}
	parent.ResumeChildren([]kernel.ReplayedSpawn{{Index: 2, PID: 9, Budget: quota.Amount{Tokens: 60}}})
	if _, err := parent.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{Budget: quota.Amount{Tokens: 41}}); !errors.Is(err, quota.ErrExhausted) {
		t.Errorf("41 tokens with 40 left: %v, want ErrExhausted", err)
	}
	close(release)
	if _, err := parent.WaitAgent(ctx, 9, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := parent.SpawnAgent(ctx, "idle.wasm", kernel.SpawnRequest{Budget: quota.Amount{Tokens: 100}}); err != nil {
		t.Errorf("after the resumed child spent nothing: %v, want the whole budget back", err)
	}
	parent.End(0, nil)
}

// TestResumedChildKeepsItsBudgetWhenItsShareCannotBeSetAside: when the resumed parent's budget
// cannot set the child's share aside again, the child is still held to the budget its spawn
// gave it (not left unbounded).
func TestResumedChildKeepsItsBudgetWhenItsShareCannotBeSetAside(t *testing.T) {
	release := make(chan struct{})
	started := make(chan kernel.PID, 1)
	idle := func(ctx context.Context, p *kernel.Process) (int, error) {
		started <- p.PID()
		select {
		case <-release:
		case <-ctx.Done():
		}
		return 0, nil
	}
	ledger := quota.NewLedger()
	gs := &goSpawner{agents: map[string]func(context.Context, *kernel.Process) (int, error){}}
	r := &resumer{goSpawner: gs, oldParent: 1, resumed: map[int]func(context.Context, *kernel.Process) (int, error){2: idle}}
	gs.k = kernel.New(kernel.Cores{words{"a"}}, kernel.WithAgents(r, kernel.AgentLimits{}), kernel.WithLedger(ledger))
	t.Cleanup(gs.wg.Wait)
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	parent, err := gs.k.Spawn(kernel.Spec{Name: "parent", Budget: quota.Limit{Tokens: 50}})
	if err != nil {
		t.Fatal(err)
	}
	parent.ResumeChildren([]kernel.ReplayedSpawn{{Index: 2, PID: 9, Budget: quota.Amount{Tokens: 60}}})
	pid := <-started
	if b := ledger.Balance(quota.Run, fmt.Sprintf("worker[%d]", pid)); b.Limit.Tokens != 60 {
		t.Errorf("the resumed child's budget is %+v, want the 60 tokens its spawn gave it", b.Limit)
	}
	once.Do(func() { close(release) })
	if _, err := parent.WaitAgent(context.Background(), 9, -1); err != nil {
		t.Fatal(err)
	}
	parent.End(0, nil)
}
