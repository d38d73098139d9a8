package quota

import (
	"errors"
	"strings"
	"testing"
)

func TestCostString(t *testing.T) {
	for c, want := range map[Cost]string{Dollars(1.25): "$1.250000", 7: "$0.000007", -Dollars(2): "-$2.000000"} {
		if c.String() != want {
			t.Errorf("Cost(%d) = %s, want %s", int64(c), c, want)
		}
	}
}

func TestReserveSettleRelease(t *testing.T) {
	l := NewLedger()
	l.SetLimit(Agent, "a", Limit{Tokens: 100})
	r, err := l.Reserve(Payer{Agent: "a"}, Amount{Tokens: 60})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reserve(Payer{Agent: "a"}, Amount{Tokens: 50}); !errors.Is(err, ErrExhausted) {
		t.Fatalf("second reservation past the limit: err = %v", err)
	}
	r.Settle(Amount{Tokens: 20})
	r.Settle(Amount{Tokens: 90}) // no effect: already settled
	if b := l.Balance(Agent, "a"); b.Used.Tokens != 20 || b.Reserved.Tokens != 0 {
		t.Fatalf("balance = %+v", b)
	}
	r2, err := l.Reserve(Payer{Agent: "a"}, Amount{Tokens: 80})
	if err != nil {
		t.Fatalf("80 of the 80 left must fit: %v", err)
	}
	r2.Release()
	if b := l.Balance(Agent, "a"); b.Used.Tokens != 20 || b.Reserved.Tokens != 0 {
		t.Fatalf("balance after Release = %+v", b)
	}
}

func TestTenantBudgetIsAtomicWithAgent(t *testing.T) {
	l := NewLedger()
	l.SetLimit(Tenant, "acme", Limit{Tokens: 100})
	if _, err := l.Reserve(Payer{Agent: "a", Tenant: "acme"}, Amount{Tokens: 70}); err != nil {
		t.Fatal(err)
	}
	_, err := l.Reserve(Payer{Agent: "b", Tenant: "acme"}, Amount{Tokens: 40})
	var ex *ExhaustedError
	if !errors.As(err, &ex) || ex.Scope != Tenant || ex.Name != "acme" {
		t.Fatalf("err = %v, want the tenant budget exhausted", err)
	}
	if b := l.Balance(Agent, "b"); b.Reserved.Tokens != 0 {
		t.Fatalf("refused reservation left %d tokens held on the agent", b.Reserved.Tokens)
	}
}

func TestMoneyBudgetAndMessage(t *testing.T) {
	l := NewLedger()
	l.SetLimit(Agent, "spender", Limit{Money: Dollars(1)})
	r, err := l.Reserve(Payer{Agent: "spender"}, Amount{Tokens: 5, Money: Dollars(0.75)})
	if err != nil {
		t.Fatal(err)
	}
	r.Settle(Amount{Tokens: 5, Money: Dollars(0.5)})
	_, err = l.Reserve(Payer{Agent: "spender"}, Amount{Money: Dollars(0.6)})
	if !errors.Is(err, ErrExhausted) {
		t.Fatalf("err = %v", err)
	}
	for _, s := range []string{`agent "spender"`, "money budget of $1.000000", "requested $0.600000", "$0.500000 left"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
}

func TestUnlimitedByDefault(t *testing.T) {
	l := NewLedger()
	r, err := l.Reserve(Payer{Agent: "anyone", Tenant: "anywhere"}, Amount{Tokens: 1 << 40, Money: Dollars(1e6)})
	if err != nil {
		t.Fatal(err)
	}
	r.Settle(r.Held())
}
