package quota

import (
	"fmt"
	"sync"
)

// Ledger holds the budgets and their use. It is safe for concurrent use; one mutex makes a
// reservation against an agent's and its tenant's budget a single atomic step.
type Ledger struct {
	mu       sync.Mutex
	accounts map[key]*account
}

type key struct {
	scope Scope
	name  string
}

type account struct {
	limit    Limit
	used     Amount
	reserved Amount
}

// Balance is a snapshot of one account.
type Balance struct {
	Limit    Limit
	Used     Amount // settled
	Reserved Amount // held by calls in progress
}

// NewLedger returns a ledger with no budgets: everything is unlimited until SetLimit.
func NewLedger() *Ledger { return &Ledger{accounts: map[key]*account{}} }

// SetLimit sets the budget of an agent or tenant. Use so far is kept, so lowering a limit
// below it refuses further reservations but takes nothing back.
func (l *Ledger) SetLimit(s Scope, name string, lim Limit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.account(s, name).limit = lim
}

// Balance returns the account of an agent, tenant or run; one that has none (never charged,
// or forgotten) is the zero Balance. Asking does not open an account.
func (l *Ledger) Balance(s Scope, name string) Balance {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[key{s, name}]
	if !ok {
		return Balance{}
	}
	return Balance{Limit: a.limit, Used: a.used, Reserved: a.reserved}
}

// Payer names the accounts a call is charged to.
type Payer struct {
	Agent  string
	Tenant string // empty: no tenant account
	// Run is the account of one run with a budget of its own (a bundle's [budgets]), opened
	// with SetLimit(Run, ...) before the run's first call and closed with Forget after its
	// last; empty: none.
	Run string
}

// Reserve holds est against the payer's budgets: the agent's, the tenant's and the run's.
// Either all hold it or none does; a budget without room gives an *ExhaustedError naming it.
// A run whose account is not open (never set, or forgotten) is refused. Negative parts of est
// are treated as zero.
func (l *Ledger) Reserve(p Payer, est Amount) (*Reservation, error) {
	est = Amount{max(est.Tokens, 0), max(est.Money, 0)}
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := []key{{Agent, p.Agent}}
	if p.Tenant != "" {
		keys = append(keys, key{Tenant, p.Tenant})
	}
	accts := make([]*account, 0, 3)
	for _, k := range keys {
		accts = append(accts, l.account(k.scope, k.name))
	}
	if p.Run != "" {
		a, ok := l.accounts[key{Run, p.Run}]
		if !ok {
			return nil, fmt.Errorf("reserve: %w: run %q has no open account", ErrExhausted, p.Run)
		}
		keys, accts = append(keys, key{Run, p.Run}), append(accts, a)
	}
	for i, a := range accts {
		if err := a.check(keys[i], est); err != nil {
			return nil, fmt.Errorf("reserve: %w", err)
		}
	}
	for _, a := range accts {
		a.reserved = a.reserved.add(est)
	}
	return &Reservation{l: l, accts: accts, held: est}, nil
}

// Forget drops the account of an agent, tenant or run. Reservations it holds still end
// normally; they no longer show in any Balance. A run's account is forgotten when the run ends,
// so that a ledger serving many runs does not grow with them.
func (l *Ledger) Forget(s Scope, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.accounts, key{s, name})
}

func (l *Ledger) account(s Scope, name string) *account {
	k := key{s, name}
	a, ok := l.accounts[k]
	if !ok {
		a = &account{}
		l.accounts[k] = a
	}
	return a
}

// check refuses est when it is more than the room left under a limit. Room is computed rather
// than the sum of use and est compared, so that a limit of math.MaxInt64 still refuses what
// would pass it: a saturated sum would equal that limit.
func (a *account) check(k key, est Amount) error {
	taken := a.used.add(a.reserved)
	if lim := a.limit.Tokens; lim > 0 && est.Tokens > Sub(lim, taken.Tokens) {
		return &ExhaustedError{Scope: k.scope, Name: k.name, Resource: "tokens", Limit: lim,
			Used: a.used.Tokens, Reserved: a.reserved.Tokens, Requested: est.Tokens}
	}
	if lim := a.limit.Money; lim > 0 && est.Money > Sub(lim, taken.Money) {
		return &ExhaustedError{Scope: k.scope, Name: k.name, Resource: "money", Limit: int64(lim),
			Used: int64(a.used.Money), Reserved: int64(a.reserved.Money), Requested: int64(est.Money)}
	}
	return nil
}

// TokenRoom returns the fewest tokens any of the payer's budgets has left (limit less use and
// reservations, never below zero), and whether any of them limits tokens at all. It is a
// snapshot, for choosing a default request size that fits; Reserve stays the atomic check.
func (l *Ledger) TokenRoom(p Payer) (room int64, limited bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := []key{{Agent, p.Agent}}
	if p.Tenant != "" {
		keys = append(keys, key{Tenant, p.Tenant})
	}
	if p.Run != "" {
		keys = append(keys, key{Run, p.Run})
	}
	for _, k := range keys {
		a, ok := l.accounts[k]
		if !ok || a.limit.Tokens <= 0 {
			continue
		}
		left := max(Sub(a.limit.Tokens, Add(a.used.Tokens, a.reserved.Tokens)), 0)
		if !limited || left < room {
			room, limited = left, true
		}
	}
	return room, limited
}
