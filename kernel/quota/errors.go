package quota

import (
	"errors"
	"fmt"
)

// ErrExhausted is matched (errors.Is) by every error saying a budget has not enough left.
var ErrExhausted = errors.New("budget exhausted")

// ExhaustedError says which budget refused a reservation and by how much.
type ExhaustedError struct {
	Scope     Scope
	Name      string // the agent or tenant
	Resource  string // "tokens" or "money"
	Period    Period // the time the budget counts use over
	Limit     int64  // in tokens or micro-units
	Used      int64  // settled use
	Reserved  int64  // held by calls in progress
	Requested int64
}

func (e *ExhaustedError) Error() string {
	f := func(v int64) string {
		if e.Resource == "money" {
			return Cost(v).String()
		}
		return fmt.Sprintf("%d tokens", v)
	}
	left := max(Sub(Sub(e.Limit, e.Used), e.Reserved), 0)
	return fmt.Sprintf("%s: %s: requested %s, %s left (%s used, %s held by calls in progress)",
		ErrExhausted, e.Budget(), f(e.Requested), f(left), f(e.Used), f(e.Reserved))
}

// Budget names the budget that refused, e.g. `agent "writer" tokens budget of 300 tokens`, or
// `tenant "acme" daily money budget of $5.000000` for a budget with a period.
func (e *ExhaustedError) Budget() string {
	lim := fmt.Sprintf("%d tokens", e.Limit)
	if e.Resource == "money" {
		lim = Cost(e.Limit).String()
	}
	period := ""
	if e.Period != Lifetime {
		period = e.Period.String() + " "
	}
	return fmt.Sprintf("%s %q %s%s budget of %s", e.Scope, e.Name, period, e.Resource, lim)
}

// Is makes errors.Is(err, ErrExhausted) true.
func (e *ExhaustedError) Is(target error) bool { return target == ErrExhausted }
