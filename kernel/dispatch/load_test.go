package dispatch

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestLoadCountsWaitingPerCore(t *testing.T) {
	busy := &testCore{name: "busy", models: []string{"m1"}, hold: true, started: make(chan string, 4)}
	idle := &testCore{name: "idle", models: []string{"m2"}}
	d, err := New([]Backend{{Core: busy, Capacity: 1, Class: "fast"}, {Core: idle, Capacity: 3, Model: "m2"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(as("a"))
	done := make(chan struct{}, 3)
	for _, p := range []string{"1", "2", "3"} {
		go func() {
			req := ask(p)
			req.Model = "m1"
			_, _ = d.Generate(ctx, req, nil)
			done <- struct{}{}
		}()
	}
	<-busy.started
	deadline := time.Now().Add(2 * time.Minute) // a hang guard, not a bound on speed
	var l []CoreLoad
	for {
		l = d.Load()
		if l[0].InFlight == 1 && l[0].Waiting == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("load = %+v, want one in flight on busy and two waiting for it", l)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if l[0].Name != "busy" || l[0].Class != "fast" || l[0].Capacity != 1 || len(l[0].Models) != 1 || l[0].Models[0] != "m1" {
		t.Errorf("busy's load = %+v, want its name, class, capacity and model", l[0])
	}
	if l[1].Name != "idle" || l[1].InFlight != 0 || l[1].Waiting != 0 || l[1].Model != "m2" || l[1].Capacity != 3 {
		t.Errorf("idle's load = %+v, want nothing in flight or waiting", l[1])
	}
	if s := d.Stats(); s.Queued != 2 {
		t.Errorf("stats = %+v, want the two waiting generations queued", s)
	}
	cancel()
	for range 3 {
		<-done
	}
	for _, c := range d.Load() {
		if c.InFlight != 0 || c.Waiting != 0 {
			t.Errorf("after cancel %s's load = %+v, want nothing in flight or waiting", c.Name, c)
		}
	}
}

func TestLoadReportsTokensPerSecondOverTheWindow(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_000_000, 0)}
	c := &testCore{name: "c"}
	d, err := New([]Backend{{Core: c}}, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	var moved int
	for _, p := range []string{"one", "two words"} {
		resp, err := d.Generate(as("a"), ask(p), nil)
		if err != nil {
			t.Fatal(err)
		}
		moved += resp.Usage.InputTokens + resp.Usage.OutputTokens
		clock.advance(time.Second)
	}
	if got, want := d.Load()[0].TokensPerSecond, float64(moved)/ThroughputWindow.Seconds(); got != want {
		t.Fatalf("tokens per second = %v, want %v (%d tokens over %s)", got, want, moved, ThroughputWindow)
	}
	clock.advance(ThroughputWindow)
	if l := d.Load()[0]; l.TokensPerSecond != 0 || l.Tokens != int64(moved) {
		t.Fatalf("a window later: %v tokens per second and %d since the start, want 0 and %d", l.TokensPerSecond, l.Tokens, moved)
	}
}

func TestLoadShowsCooldown(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_000_000, 0)}
	d, err := New([]Backend{{Core: &testCore{name: "c"}}}, Options{Now: clock.Now, Cooldown: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if l := d.Load()[0]; l.CoolingFor != 0 {
		t.Fatalf("a fresh core cools for %s, want 0", l.CoolingFor)
	}
	d.CoolDown("c")
	clock.advance(20 * time.Second)
	if l := d.Load()[0]; l.CoolingFor != 40*time.Second {
		t.Fatalf("cooling for %s, want 40s", l.CoolingFor)
	}
	clock.advance(time.Minute)
	if l := d.Load()[0]; l.CoolingFor != 0 {
		t.Fatalf("cooling for %s after the cooldown, want 0", l.CoolingFor)
	}
}

func TestThroughputSaturatesAndIgnoresNegative(t *testing.T) {
	var tp throughput
	now := time.Unix(-5, 0) // before the epoch: the bucket index must not go negative
	tp.add(now, -3)
	tp.add(now, int(^uint(0)>>1))
	tp.add(now, int(^uint(0)>>1))
	if got := tp.perSecond(now); got <= 0 {
		t.Fatalf("per second = %v after huge counts, want a large positive rate", got)
	}
	if got := tp.sinceStart(); got != math.MaxInt64 {
		t.Fatalf("since the start = %d after huge counts, want the largest int64", got)
	}
}
