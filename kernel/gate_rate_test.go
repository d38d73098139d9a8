package kernel

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aiosys/aios/policy"
)

func TestRateLimiterNeverPassesCallsInAnyWindow(t *testing.T) {
	rate := Rate{Calls: 5, Per: time.Minute}
	l := newRateLimiter(map[string]Rate{"llm_generate": rate})
	a := policy.Agent{Name: "a"}
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Unix(1_700_000_000, 0)
	var admitted []time.Time
	now := t0
	for range 5000 {
		now = now.Add(time.Duration(rng.Int64N(int64(3 * time.Second))))
		if l.admit(a, "llm_generate", now) == "" {
			admitted = append(admitted, now)
		}
	}
	// Every window of length Per ending at an admission holds at most Calls admissions.
	for i, end := range admitted {
		n := 0
		for j := i; j >= 0 && end.Sub(admitted[j]) < rate.Per; j-- {
			n++
		}
		if n > rate.Calls {
			t.Fatalf("%d calls admitted in the minute before %v", n, end.Sub(t0))
		}
	}
	// And the bound is not much stricter than exact: about Calls per Per over the run.
	perMinute := float64(len(admitted)) / now.Sub(t0).Minutes()
	if perMinute < 0.9*float64(rate.Calls) {
		t.Fatalf("%.2f calls admitted per minute, want close to %d", perMinute, rate.Calls)
	}
}

func TestRateLimiterWindowSlides(t *testing.T) {
	l := newRateLimiter(map[string]Rate{"log": {Calls: 2, Per: time.Hour}})
	a := policy.Agent{Name: "a", Tenant: "t"}
	t0 := time.Unix(1_700_000_000, 0)
	if l.admit(a, "log", t0) != "" || l.admit(a, "log", t0.Add(time.Minute)) != "" {
		t.Fatal("the first two calls were refused")
	}
	if l.admit(a, "log", t0.Add(59*time.Minute)) == "" {
		t.Fatal("a third call within the hour was admitted")
	}
	if l.admit(policy.Agent{Name: "a", Tenant: "other"}, "log", t0) != "" {
		t.Fatal("the same name in another tenant shares the count")
	}
	if l.admit(a, "input", t0) != "" {
		t.Fatal("a call without a rate was refused")
	}
	if l.admit(a, "log", t0.Add(time.Hour+2*time.Minute)) != "" {
		t.Fatal("a call after the first left the window was refused")
	}
}

// TestRateLimiterMemoryIsBounded: a huge configured rate, or many agents that came and went,
// do not grow the limiter without bound.
func TestRateLimiterMemoryIsBounded(t *testing.T) {
	l := newRateLimiter(map[string]Rate{"output": {Calls: 1 << 40, Per: 24 * time.Hour}})
	a := policy.Agent{Name: "busy"}
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 200_000 {
		if why := l.admit(a, "output", t0.Add(time.Duration(i)*time.Second)); why != "" {
			t.Fatal(why)
		}
	}
	if n := len(l.seen[rateKey{"busy", "", "output"}].slots); n > rateSlots+1 {
		t.Fatalf("%d slots kept for one agent, want at most %d", n, rateSlots+1)
	}

	for i := range 10 * minSweep {
		l.admit(policy.Agent{Name: "transient", Tenant: string(rune('a'+i%26)) + time.Duration(i).String()}, "output", t0)
	}
	// New agents after every transient one's window has passed: the transient ones are swept
	// by the time the count doubles.
	for i := range 20 * minSweep {
		l.admit(policy.Agent{Name: "late", Tenant: time.Duration(i).String()}, "output", t0.Add(25*time.Hour))
	}
	for k := range l.seen {
		if k.agent == "transient" {
			t.Fatalf("%d logs kept, transient ones among them, after every transient agent's window passed", len(l.seen))
		}
	}
}
