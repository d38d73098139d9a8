package quota

import (
	"errors"
	"math"
	"testing"
)

func TestAddSub(t *testing.T) {
	const maxI, minI = math.MaxInt64, math.MinInt64
	for _, c := range []struct{ a, b, sum, diff int64 }{
		{0, 0, 0, 0},
		{1, -1, 0, 2},
		{-1, -1, -2, 0},
		{maxI, 0, maxI, maxI},
		{maxI, 1, maxI, maxI - 1},
		{maxI, maxI, maxI, 0},
		{maxI, -1, maxI - 1, maxI},
		{maxI, minI, -1, maxI},
		{minI, -1, minI, minI + 1},
		{minI, minI, minI, 0},
		{minI, maxI, -1, minI},
		{minI, 1, minI + 1, minI},
		{0, minI, minI, maxI},
		{-1, minI, minI, maxI},
		{0, maxI, maxI, -maxI},
	} {
		if got := Add(c.a, c.b); got != c.sum {
			t.Errorf("Add(%d, %d) = %d, want %d", c.a, c.b, got, c.sum)
		}
		if got := Sub(c.a, c.b); got != c.diff {
			t.Errorf("Sub(%d, %d) = %d, want %d", c.a, c.b, got, c.diff)
		}
		if got := Add(int(c.a), int(c.b)); int64(got) != c.sum { // int is 64 bits on every host aios builds for
			t.Errorf("Add[int](%d, %d) = %d, want %d", c.a, c.b, got, c.sum)
		}
	}
}

func TestCharge(t *testing.T) {
	const maxI = math.MaxInt64
	for _, c := range []struct {
		in, out    int64
		pin, pout  Cost
		want       Cost
		whatItShow string
	}{
		{0, 0, 0, 0, 0, "nothing is free"},
		{1, 0, 1, 0, 1, "a part of a micro-unit rounds up"},
		{1_000_000, 1_000_000, Dollars(1), Dollars(2), Dollars(3), "a million tokens cost the price"},
		{3, 5, Dollars(1), Dollars(2), 13, "the sum is rounded once"},
		{maxI, 0, 1, 0, Cost(maxI/1_000_000 + 1), "the largest count at the smallest price"},
		{maxI, maxI, Dollars(1), Dollars(1), maxI, "a product past 2^63 saturates"},
		{0, maxI, 0, maxI, maxI, "the largest price"},
		{maxI, maxI, maxI, maxI, maxI, "the largest of everything"},
		{-1, -1, Dollars(1), Dollars(1), 0, "negative tokens count as zero"},
		{math.MinInt64, 10, Dollars(1), Dollars(1), 10, "the smallest int64 counts as zero"},
		{10, 10, -1, math.MinInt64, 0, "negative prices count as zero"},
	} {
		if got := Charge(c.in, c.out, c.pin, c.pout); got != c.want {
			t.Errorf("%s: Charge(%d, %d, %d, %d) = %d, want %d", c.whatItShow, c.in, c.out, c.pin, c.pout, got, c.want)
		}
	}
}

func TestDollarsSaturates(t *testing.T) {
	for _, c := range []struct {
		d    float64
		want Cost
	}{
		{0, 0},
		{-1, -1_000_000},
		{1.25, 1_250_000},
		{1e300, math.MaxInt64},
		{math.Inf(1), math.MaxInt64},
		{9.3e12, math.MaxInt64}, // just past the largest Cost
		{-1e300, math.MinInt64},
		{math.Inf(-1), math.MinInt64},
		{math.NaN(), 0},
	} {
		if got := Dollars(c.d); got != c.want {
			t.Errorf("Dollars(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}

// TestHugeEstimatesAreRefusedNotWrapped: a budget refuses an estimate of math.MaxInt64 and
// one that would wrap the sum of what is used and held, at every limit.
func TestHugeEstimatesAreRefusedNotWrapped(t *testing.T) {
	for _, lim := range []Limit{{Tokens: 300}, {Money: Dollars(1)}, {Tokens: math.MaxInt64}, {Money: math.MaxInt64}} {
		for _, scope := range []Scope{Agent, Tenant, Run} {
			l := NewLedger()
			l.SetLimit(scope, "x", lim)
			p := map[Scope]Payer{Agent: {Agent: "x"}, Tenant: {Agent: "a", Tenant: "x"}, Run: {Agent: "a", Run: "x"}}[scope]
			half := Amount{Tokens: math.MaxInt64/2 + 1, Money: math.MaxInt64/2 + 1}
			if lim.Tokens == math.MaxInt64 || lim.Money == math.MaxInt64 {
				// Two halves fit only if their sum does not wrap: the second must be refused.
				r, err := l.Reserve(p, Amount{Tokens: half.Tokens * min(lim.Tokens, 1), Money: half.Money * min(lim.Money, 1)})
				if err != nil {
					t.Fatalf("%s %+v: first half refused: %v", scope, lim, err)
				}
				defer r.Release()
			}
			_, err := l.Reserve(p, half)
			if !errors.Is(err, ErrExhausted) {
				t.Errorf("%s limit %+v: reserving %+v: err = %v, want ErrExhausted", scope, lim, half, err)
			}
			_, err = l.Reserve(p, Amount{Tokens: math.MaxInt64, Money: math.MaxInt64})
			if !errors.Is(err, ErrExhausted) {
				t.Errorf("%s limit %+v: reserving the most there is: err = %v, want ErrExhausted", scope, lim, err)
			}
		}
	}
}

// TestSettleBeyondTheLimitSaturates: use recorded past math.MaxInt64 stays there.
func TestSettleBeyondTheLimitSaturates(t *testing.T) {
	l := NewLedger()
	for range 2 {
		r, err := l.Reserve(Payer{Agent: "a"}, Amount{Tokens: 1})
		if err != nil {
			t.Fatal(err)
		}
		r.Settle(Amount{Tokens: math.MaxInt64, Money: math.MaxInt64})
	}
	if b := l.Balance(Agent, "a"); b.Used.Tokens != math.MaxInt64 || b.Used.Money != math.MaxInt64 || b.Reserved != (Amount{}) {
		t.Fatalf("balance %+v, want use saturated and nothing held", b)
	}
	l.SetLimit(Agent, "a", Limit{Tokens: math.MaxInt64})
	if _, err := l.Reserve(Payer{Agent: "a"}, Amount{Tokens: 1}); !errors.Is(err, ErrExhausted) {
		t.Fatalf("err = %v, want a saturated account exhausted", err)
	}
}

// TestRunAccountsOpenAndClose: a run is charged only while its account is open, and asking for
// a balance opens none.
func TestRunAccountsOpenAndClose(t *testing.T) {
	l := NewLedger()
	p := Payer{Agent: "a", Run: "a[1]"}
	if _, err := l.Reserve(p, Amount{Tokens: 1}); !errors.Is(err, ErrExhausted) {
		t.Fatalf("err = %v, want a run without an open account refused", err)
	}
	l.SetLimit(Run, "a[1]", Limit{Tokens: 10})
	r, err := l.Reserve(p, Amount{Tokens: 4})
	if err != nil {
		t.Fatal(err)
	}
	l.Forget(Run, "a[1]")
	r.Settle(Amount{Tokens: 4}) // settles into the forgotten account, unseen
	if b := l.Balance(Run, "a[1]"); b != (Balance{}) {
		t.Fatalf("forgotten run balance %+v, want zero", b)
	}
	if _, err := l.Reserve(p, Amount{Tokens: 1}); !errors.Is(err, ErrExhausted) {
		t.Fatalf("err = %v, want a forgotten run refused (Balance must not reopen it)", err)
	}
	if b := l.Balance(Agent, "a"); b.Used.Tokens != 4 {
		t.Fatalf("agent balance %+v, want the run's 4 tokens", b)
	}
}
