// Package quota keeps token and money budgets per agent and per tenant. A call reserves its
// estimated use at admission, atomically against every budget it touches, and settles to its
// actual use afterwards, so concurrent calls can never together overshoot a hard limit. A
// ledger lives in memory (NewLedger) or in a SQLite file that processes share (OpenLedger), and
// a budget counts all use or that of the current UTC day or month (Period).
package quota

import (
	"fmt"
	"math"
)

// Cost is an amount of money in millionths of the currency unit (micro-dollars), so sums are
// exact.
type Cost int64

// Dollars converts a currency amount to a Cost, rounding to the nearest micro-unit. An amount
// beyond the range of Cost (including an infinity) is its bound; NaN is zero (configuration
// refuses NaN before it gets here).
func Dollars(d float64) Cost {
	m := math.Round(d * 1e6)
	switch {
	case math.IsNaN(m):
		return 0
	case m >= math.MaxInt64: // float64(math.MaxInt64) is 2^63, one past the largest Cost
		return math.MaxInt64
	case m <= math.MinInt64:
		return math.MinInt64
	}
	return Cost(m)
}

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

// add and sub saturate (see Add): a sum of huge amounts stays huge rather than wrapping.
func (a Amount) add(b Amount) Amount { return Amount{Add(a.Tokens, b.Tokens), Add(a.Money, b.Money)} }
func (a Amount) sub(b Amount) Amount { return Amount{Sub(a.Tokens, b.Tokens), Sub(a.Money, b.Money)} }

// Limit is a budget. A zero Tokens or Money is unlimited. Period says over what time the use
// is counted: the zero Period is the ledger's whole life.
type Limit struct {
	Tokens int64
	Money  Cost
	Period Period
}

// Scope says whose budget a limit is.
type Scope int

const (
	Agent  Scope = iota
	Tenant       // every agent of a tenant
	Run          // one run of an agent, for a budget of its own (a bundle's [budgets])
)

func (s Scope) String() string {
	switch s {
	case Tenant:
		return "tenant"
	case Run:
		return "run"
	}
	return "agent"
}
