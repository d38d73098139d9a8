// Package quota keeps token and money budgets per agent and per tenant. A call reserves its
// estimated use at admission, atomically against every budget it touches, and settles to its
// actual use afterwards, so concurrent calls can never together overshoot a hard limit.
package quota

import (
	"fmt"
	"math"
)

// Cost is an amount of money in millionths of the currency unit (micro-dollars), so sums are
// exact.
type Cost int64

// Dollars converts a currency amount to a Cost, rounding to the nearest micro-unit.
func Dollars(d float64) Cost { return Cost(math.Round(d * 1e6)) }

// String formats c as a currency amount, e.g. "$1.250000".
func (c Cost) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s$%d.%06d", sign, c/1e6, c%1e6)
}

// Amount is a use of tokens and money.
type Amount struct {
	Tokens int64
	Money  Cost
}

func (a Amount) add(b Amount) Amount { return Amount{a.Tokens + b.Tokens, a.Money + b.Money} }
func (a Amount) sub(b Amount) Amount { return Amount{a.Tokens - b.Tokens, a.Money - b.Money} }

// Limit is a budget. A zero field is unlimited.
type Limit struct {
	Tokens int64
	Money  Cost
}

// Scope says whose budget a limit is.
type Scope int

const (
	Agent Scope = iota
	Tenant
)

func (s Scope) String() string {
	if s == Tenant {
		return "tenant"
	}
	return "agent"
}
