package quota

import (
	"fmt"
	"sync"
	"time"
)

// Ledger holds the budgets and their use. It is safe for concurrent use; one mutex makes a
// reservation against an agent's and its tenant's budget a single atomic step.
//
// A ledger made by NewLedger lives in memory, for one process. One opened by OpenLedger keeps
// the use of agents and tenants in a SQLite file that every process opening it shares (see
// OpenLedger); the limits are each process's own, set with SetLimit as its configuration says.
type Ledger struct {
	mu       sync.Mutex
	accounts map[key]*account
	now      func() time.Time
	lease    time.Duration // of a ledger file's reservations
	db       *store        // nil: agents' and tenants' use is in accounts
}

type key struct {
	scope Scope
	name  string
}

type account struct {
	limit    Limit
	used     Amount    // in memory: the use of the period starting at start
	start    time.Time // the start of the period used counts (zero for Lifetime)
	reserved Amount
}

// Balance is a snapshot of one account.
type Balance struct {
	Limit    Limit
	Used     Amount // settled, in the limit's current period
	Reserved Amount // held by calls in progress
}

// Option adjusts a ledger made by NewLedger or OpenLedger.
type Option func(*Ledger)

// WithClock makes the ledger read the time from now instead of time.Now; periods and leases
// follow it (tests).
func WithClock(now func() time.Time) Option { return func(l *Ledger) { l.now = now } }

// NewLedger returns a ledger in memory with no budgets: everything is unlimited until SetLimit.
func NewLedger(opts ...Option) *Ledger {
	l := &Ledger{accounts: map[key]*account{}, now: time.Now}
	for _, o := range opts {
		o(l)
	}
	return l
}

// SetLimit sets the budget of an agent or tenant. Use so far is kept, so lowering a limit
// below it refuses further reservations but takes nothing back.
func (l *Ledger) SetLimit(s Scope, name string, lim Limit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.account(s, name)
	if a.limit.Period != lim.Period {
		a.used, a.start = Amount{}, lim.Period.start(l.now())
	}
	a.limit = lim
}

// Balance returns the account of an agent, tenant or run; one that has none (never charged,
// or forgotten) is the zero Balance. Asking does not open an account. For a ledger in a file,
// a failure to read it gives the limit with no use; Lookup returns the error.
func (l *Ledger) Balance(s Scope, name string) Balance {
	b, _ := l.Lookup(s, name)
	return b
}

// Lookup is Balance with the error of reading a ledger file.
func (l *Ledger) Lookup(s Scope, name string) (Balance, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.db != nil {
		l.db.waitIdle()
	}
	a, ok := l.accounts[key{s, name}]
	if l.db != nil && s != Run {
		var lim Limit
		if ok {
			lim = a.limit
		}
		return l.db.balance(key{s, name}, lim, l.now())
	}
	if !ok {
		return Balance{}, nil
	}
	a.roll(l.now())
	return Balance{Limit: a.limit, Used: a.used, Reserved: a.reserved}, nil
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

// maxPayerKeys is how many accounts one payer is charged to at most: agent, tenant and run.
const maxPayerKeys = 3

// keys returns the accounts p is charged to, the run's last: the first n of ks (an array, so
// that reserving allocates no slice).
func (p Payer) keys() (ks [maxPayerKeys]key, n int) {
	ks[0], n = key{Agent, p.Agent}, 1
	if p.Tenant != "" {
		ks[n], n = key{Tenant, p.Tenant}, n+1
	}
	if p.Run != "" {
		ks[n], n = key{Run, p.Run}, n+1
	}
	return ks, n
}

// Reserve holds est against the payer's budgets: the agent's, the tenant's and the run's.
// Either all hold it or none does; a budget without room gives an *ExhaustedError naming it.
// A run whose account is not open (never set, or forgotten) is refused. Negative parts of est
// are treated as zero. For a ledger in a file, the check and the hold are one transaction of
// the file, so reservations of every process sharing it are atomic together.
func (l *Ledger) Reserve(p Payer, est Amount) (*Reservation, error) {
	est = Amount{max(est.Tokens, 0), max(est.Money, 0)}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.db != nil {
		l.db.waitIdle()
	}
	now := l.now()
	var run *account
	if p.Run != "" {
		a, ok := l.accounts[key{Run, p.Run}]
		if !ok {
			return nil, fmt.Errorf("reserve: %w: run %q has no open account", ErrExhausted, p.Run)
		}
		run = a
	}
	r := &Reservation{l: l, held: est, at: now}
	r.accts = r.inAccts[:0]
	var limits []limitOf // a ledger file's accounts, checked in its transaction
	ks, n := p.keys()
	for _, k := range ks[:n] {
		var a *account
		switch {
		case k.scope == Run:
			a = run
		case l.db == nil:
			a = l.account(k.scope, k.name)
		default:
			if a, ok := l.accounts[k]; ok && a.limit != (Limit{}) {
				limits = append(limits, limitOf{k, a.limit})
			}
			continue
		}
		if err := a.check(k, est, now); err != nil {
			return nil, fmt.Errorf("reserve: %w", err)
		}
		r.accts = append(r.accts, a)
	}
	// With no limited account of the file, nothing is checked and nothing need be held: only
	// the use is recorded, at Settle. (Processes sharing a file share their [quotas].)
	if l.db != nil {
		r.payer = p
	}
	if l.db != nil && len(limits) > 0 {
		id, err := l.db.reserve(p, est, limits, now)
		if err != nil {
			return nil, fmt.Errorf("reserve: %w", err)
		}
		r.id = id
	}
	for _, a := range r.accts {
		a.reserved = a.reserved.add(est)
	}
	return r, nil
}

// Forget drops the account of an agent, tenant or run. Reservations it holds still end
// normally; they no longer show in any Balance. A run's account is forgotten when the run ends,
// so that a ledger serving many runs does not grow with them. For a ledger in a file, forgetting
// an agent or tenant drops its limit in this process; its use stays in the file.
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

// roll starts the account's period afresh when now is past it.
func (a *account) roll(now time.Time) {
	if s := a.limit.Period.start(now); s.After(a.start) {
		a.used, a.start = Amount{}, s
	}
}

// check refuses est when it is more than the room left under the account's limit.
func (a *account) check(k key, est Amount, now time.Time) error {
	a.roll(now)
	return checkRoom(k, a.limit, a.used, a.reserved, est)
}

// checkRoom refuses est when it is more than the room left under lim. Room is computed rather
// than the sum of use and est compared, so that a limit of math.MaxInt64 still refuses what
// would pass it: a saturated sum would equal that limit.
func checkRoom(k key, lim Limit, used, reserved, est Amount) error {
	taken := used.add(reserved)
	if t := lim.Tokens; t > 0 && est.Tokens > Sub(t, taken.Tokens) {
		return &ExhaustedError{Scope: k.scope, Name: k.name, Resource: "tokens", Period: lim.Period, Limit: t,
			Used: used.Tokens, Reserved: reserved.Tokens, Requested: est.Tokens}
	}
	if m := lim.Money; m > 0 && est.Money > Sub(m, taken.Money) {
		return &ExhaustedError{Scope: k.scope, Name: k.name, Resource: "money", Period: lim.Period, Limit: int64(m),
			Used: int64(used.Money), Reserved: int64(reserved.Money), Requested: int64(est.Money)}
	}
	return nil
}

// TokenRoom returns the fewest tokens any of the payer's budgets has left (limit less use and
// reservations, never below zero), and whether any of them limits tokens at all. It is a
// snapshot, for choosing a default request size that fits; Reserve stays the atomic check. A
// ledger file that cannot be read leaves no room.
func (l *Ledger) TokenRoom(p Payer) (room int64, limited bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ks, n := p.keys()
	for _, k := range ks[:n] {
		a, ok := l.accounts[k]
		if !ok || a.limit.Tokens <= 0 {
			continue
		}
		used, reserved := a.used, a.reserved
		if l.db != nil && k.scope != Run {
			b, err := l.db.balance(k, a.limit, now)
			if err != nil {
				return 0, true
			}
			used, reserved = b.Used, b.Reserved
		} else {
			a.roll(now)
			used, reserved = a.used, a.reserved
		}
		left := max(Sub(a.limit.Tokens, Add(used.Tokens, reserved.Tokens)), 0)
		if !limited || left < room {
			room, limited = left, true
		}
	}
	return room, limited
}
