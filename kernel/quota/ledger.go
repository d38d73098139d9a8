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

// Balance returns the account of an agent or tenant.
func (l *Ledger) Balance(s Scope, name string) Balance {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.account(s, name)
	return Balance{Limit: a.limit, Used: a.used, Reserved: a.reserved}
}

// Reserve holds est against the agent's budget and, when tenant is not empty, the tenant's.
// Either both hold it or neither does; a budget without room gives an *ExhaustedError
// naming it. Negative parts of est are treated as zero.
func (l *Ledger) Reserve(agent, tenant string, est Amount) (*Reservation, error) {
	est = Amount{max(est.Tokens, 0), max(est.Money, 0)}
	l.mu.Lock()
	defer l.mu.Unlock()
	accts := []*account{l.account(Agent, agent)}
	keys := []key{{Agent, agent}}
	if tenant != "" {
		accts = append(accts, l.account(Tenant, tenant))
		keys = append(keys, key{Tenant, tenant})
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

func (l *Ledger) account(s Scope, name string) *account {
	k := key{s, name}
	a, ok := l.accounts[k]
	if !ok {
		a = &account{}
		l.accounts[k] = a
	}
	return a
}

func (a *account) check(k key, est Amount) error {
	if lim := a.limit.Tokens; lim > 0 && a.used.Tokens+a.reserved.Tokens+est.Tokens > lim {
		return &ExhaustedError{Scope: k.scope, Name: k.name, Resource: "tokens", Limit: lim,
			Used: a.used.Tokens, Reserved: a.reserved.Tokens, Requested: est.Tokens}
	}
	if lim := a.limit.Money; lim > 0 && a.used.Money+a.reserved.Money+est.Money > lim {
		return &ExhaustedError{Scope: k.scope, Name: k.name, Resource: "money", Limit: int64(lim),
			Used: int64(a.used.Money), Reserved: int64(a.reserved.Money), Requested: int64(est.Money)}
	}
	return nil
}
