package runtime

import (
	"testing"
	"time"

	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
)

func newTestGuest(t *testing.T) *hostcalls.Guest {
	t.Helper()
	p, err := kernel.New(kernel.Cores{testCore{}}).Spawn(kernel.Spec{Name: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	g := hostcalls.NewGuest(p, limits.Limits{})
	t.Cleanup(g.Close)
	return g
}

func TestActiveWatchExpires(t *testing.T) {
	fired := make(chan time.Time, 1)
	start := time.Now()
	w := watchActiveTime(newTestGuest(t), 50*time.Millisecond, func() { fired <- time.Now() })
	defer w.stop()
	select {
	case at := <-fired:
		if d := at.Sub(start); d < 50*time.Millisecond {
			t.Errorf("expired after %v, before the limit", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not expire")
	}
}

func TestActiveWatchCallInProgressIsNotCharged(t *testing.T) {
	fired := make(chan struct{}, 1)
	w := watchActiveTime(newTestGuest(t), 30*time.Millisecond, func() { fired <- struct{}{} })
	defer w.stop()
	w.enterCall() // a call that blocks for the whole test
	select {
	case <-fired:
		t.Fatal("time in a system call in progress was charged as active time")
	case <-time.After(150 * time.Millisecond):
	}
	w.leaveCall() // it did not block after all (BlockedTime is 0): all of it is active time
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("did not expire after the call returned")
	}
}

func TestActiveWatchStop(t *testing.T) {
	fired := make(chan struct{}, 1)
	w := watchActiveTime(newTestGuest(t), 20*time.Millisecond, func() { fired <- struct{}{} })
	w.stop()
	select {
	case <-fired:
		t.Fatal("expired after stop")
	case <-time.After(60 * time.Millisecond):
	}
}
