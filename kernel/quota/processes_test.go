package quota

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary play a process sharing a ledger file (see helper).
func TestMain(m *testing.M) {
	if role := os.Getenv("QUOTA_TEST_HELPER"); role != "" {
		os.Exit(helper(role, os.Getenv("QUOTA_TEST_LEDGER")))
	}
	os.Exit(m.Run())
}

// helperLimit is the agent budget the helper processes share.
const helperLimit, helperStep = 1000, 7

// helper plays a process: "spend" charges helperStep tokens at a time to agent "a" until its
// budget refuses, and prints how many it charged; "hold" reserves 80 tokens, says "held" and
// waits to be killed.
func helper(role, path string) int {
	l, err := OpenLedger(context.Background(), path, WithLease(4*time.Second))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	l.SetLimit(Agent, "a", Limit{Tokens: helperLimit})
	switch role {
	case "spend":
		charged := 0
		for {
			r, err := l.Reserve(Payer{Agent: "a", Tenant: "t"}, Amount{Tokens: helperStep})
			if errors.Is(err, ErrExhausted) {
				break
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			r.Settle(Amount{Tokens: helperStep})
			charged += helperStep
		}
		fmt.Println(charged)
	case "hold":
		if _, err := l.Reserve(Payer{Agent: "a"}, Amount{Tokens: 80}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("held")
		select {}
	}
	if err := l.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func helperCmd(t *testing.T, role, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "QUOTA_TEST_HELPER="+role, "QUOTA_TEST_LEDGER="+path)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestProcessesNeverOvershootTogether runs eight processes charging one agent's budget in
// small steps until it refuses them: together they charge the budget to within one step and
// never past it.
func TestProcessesNeverOvershootTogether(t *testing.T) {
	const procs = 8
	path := filepath.Join(t.TempDir(), "quota.db")
	cmds := make([]*exec.Cmd, procs)
	outs := make([]*strings.Builder, procs)
	for i := range cmds {
		cmds[i], outs[i] = helperCmd(t, "spend", path), &strings.Builder{}
		cmds[i].Stdout = outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	sum := 0
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(outs[i].String()))
		if err != nil {
			t.Fatalf("process %d printed %q", i, outs[i].String())
		}
		sum += n
	}
	l := openFile(t, path)
	b, err := l.Lookup(Agent, "a")
	if err != nil {
		t.Fatal(err)
	}
	if b.Used.Tokens != int64(sum) || b.Reserved.Tokens != 0 {
		t.Fatalf("the file says %+v; the processes charged %d", b, sum)
	}
	if sum > helperLimit || sum <= helperLimit-helperStep {
		t.Fatalf("%d processes charged %d tokens to a budget of %d, want within %d below it", procs, sum, helperLimit, helperStep)
	}
	if tb := l.Balance(Tenant, "t"); tb.Used.Tokens != int64(sum) {
		t.Fatalf("tenant used %d, want %d", tb.Used.Tokens, sum)
	}
}

// TestKilledProcessReservationIsReclaimed kills (SIGKILL) a process holding a reservation: the
// hold binds while the process lives and is reclaimed once its lease lapses.
func TestKilledProcessReservationIsReclaimed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quota.db")
	cmd := helperCmd(t, "hold", path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "held\n" {
		t.Fatalf("the process said %q, %v", line, err)
	}
	l := openFile(t, path, WithLease(4*time.Second))
	l.SetLimit(Agent, "a", Limit{Tokens: 100})
	mustRefuse(t, l, Payer{Agent: "a"}, Amount{Tokens: 30})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(2 * time.Minute) // a hang guard: the lease is 4 s
	for {
		r, err := l.Reserve(Payer{Agent: "a"}, Amount{Tokens: 100})
		if err == nil {
			r.Settle(Amount{Tokens: 100})
			break
		}
		if !errors.Is(err, ErrExhausted) || time.Now().After(deadline) {
			t.Fatalf("the killed process's reservation was never reclaimed: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
