package dispatch

import (
	"context"
	"testing"
	"time"
)

func TestStatsShowsInFlightAndQueued(t *testing.T) {
	busy := &testCore{name: "busy", hold: true, started: make(chan string, 4)}
	d, err := New([]Backend{{Core: busy, Capacity: 1}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := d.Stats(); s.Queued != 0 || len(s.Cores) != 1 || s.Cores[0] != (CoreStats{Name: "busy", Capacity: 1}) {
		t.Fatalf("idle stats = %+v, want the core empty and nothing queued", s)
	}
	ctx, cancel := context.WithCancel(as("a"))
	done := make(chan struct{}, 2)
	for _, p := range []string{"1", "2"} {
		go func() {
			_, _ = d.Generate(ctx, ask(p), nil)
			done <- struct{}{}
		}()
	}
	<-busy.started
	deadline := time.Now().Add(2 * time.Minute) // a hang guard, not a bound on speed
	for {
		s := d.Stats()
		if s.Queued == 1 && s.Cores[0].InFlight == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats = %+v, want one in flight and one queued", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	<-done
	if s := d.Stats(); s.Queued != 0 || s.Cores[0].InFlight != 0 {
		t.Fatalf("stats after cancel = %+v, want nothing in flight or queued", s)
	}
}
