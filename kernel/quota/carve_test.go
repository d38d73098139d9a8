package quota

import (
	"errors"
	"testing"
)

func TestCarve(t *testing.T) {
	l := NewLedger()
	if _, err := l.Carve("none[1]", Amount{Tokens: 1}); !errors.Is(err, ErrExhausted) {
		t.Fatalf("carve from a run with no account: %v, want ErrExhausted", err)
	}
	l.SetLimit(Run, "p[1]", Limit{Tokens: 100, Money: Dollars(1)})
	r, err := l.Reserve(Payer{Agent: "p", Run: "p[1]"}, Amount{Tokens: 30})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Carve("p[1]", Amount{Tokens: 71}); !errors.Is(err, ErrExhausted) {
		t.Errorf("71 tokens with 70 left: %v, want ErrExhausted", err)
	}
	h, err := l.Carve("p[1]", Amount{Tokens: 50, Money: Dollars(0.25)})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Held(); got != (Amount{50, Dollars(0.25)}) {
		t.Errorf("held %+v", got)
	}
	// What is carved cannot be reserved by the parent.
	if _, err := l.Reserve(Payer{Agent: "p", Run: "p[1]"}, Amount{Tokens: 21}); !errors.Is(err, ErrExhausted) {
		t.Errorf("a reservation past what the carve left: %v, want ErrExhausted", err)
	}
	rest, err := l.Carve("p[1]", Amount{}) // all that is left: 20 tokens and $0.75
	if err != nil || rest.Held() != (Amount{20, Dollars(0.75)}) {
		t.Fatalf("carve of the rest = %+v, %v", rest, err)
	}
	if _, err := l.Carve("p[1]", Amount{}); !errors.Is(err, ErrExhausted) {
		t.Errorf("carve with nothing left: %v, want ErrExhausted", err)
	}
	r.Settle(Amount{Tokens: 10})
	h.Settle(Amount{Tokens: 45, Money: Dollars(0.1)})
	h.Settle(Amount{Tokens: 1000}) // a second settle does nothing
	rest.Settle(Amount{})
	b := l.Balance(Run, "p[1]")
	if b.Used != (Amount{55, Dollars(0.1)}) || b.Reserved != (Amount{}) {
		t.Errorf("balance = %+v, want 55 tokens and $0.10 used, nothing reserved", b)
	}

	l.SetLimit(Run, "free[2]", Limit{Tokens: 10})
	h, err = l.Carve("free[2]", Amount{Money: Dollars(5)})
	if err != nil || h.Held() != (Amount{10, Dollars(5)}) {
		t.Errorf("carve from a run without a money limit = %+v, %v: tokens take the rest, money passes as asked", h, err)
	}
	if _, err := l.Carve("free[2]", Amount{Tokens: -5}); !errors.Is(err, ErrExhausted) {
		t.Errorf("a negative part is zero, all that is left, here nothing: %v", err)
	}
}
