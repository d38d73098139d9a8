package quota

import "fmt"

// Hold is part of one run's budget set aside for a child run (ABI 1.3's agent_spawn): while it
// is held, the run cannot spend it; when the child ends, Settle charges the run what the child
// actually spent and frees the rest. Parent and children together therefore never spend more
// than the parent's budget, however they interleave.
type Hold struct {
	l    *Ledger
	a    *account
	held Amount
	done bool
}

// Carve sets want aside from the budget of run, whose account SetLimit opened. A zero part of
// want takes all that is left of that part when run limits it (and stays zero, unlimited,
// when it does not). A part that is limited and has nothing left, or less than want asks, is
// refused with an *ExhaustedError naming the run; nothing is then held. Negative parts of want
// are treated as zero.
func (l *Ledger) Carve(run string, want Amount) (*Hold, error) {
	want = Amount{max(want.Tokens, 0), max(want.Money, 0)}
	l.mu.Lock()
	defer l.mu.Unlock()
	k := key{Run, run}
	a, ok := l.accounts[k]
	if !ok {
		return nil, fmt.Errorf("carve: %w: run %q has no open account", ErrExhausted, run)
	}
	a.roll(l.now())
	taken := a.used.add(a.reserved)
	if t := a.limit.Tokens; t > 0 {
		room := max(Sub(t, taken.Tokens), 0)
		if want.Tokens == 0 {
			want.Tokens = room
		}
		if room == 0 || want.Tokens > room {
			return nil, &ExhaustedError{Scope: Run, Name: run, Resource: "tokens", Period: a.limit.Period, Limit: t,
				Used: a.used.Tokens, Reserved: a.reserved.Tokens, Requested: max(want.Tokens, 1)}
		}
	}
	if m := a.limit.Money; m > 0 {
		room := max(Sub(m, taken.Money), 0)
		if want.Money == 0 {
			want.Money = room
		}
		if room == 0 || want.Money > room {
			return nil, &ExhaustedError{Scope: Run, Name: run, Resource: "money", Period: a.limit.Period, Limit: int64(m),
				Used: int64(a.used.Money), Reserved: int64(a.reserved.Money), Requested: int64(max(want.Money, 1))}
		}
	}
	a.reserved = a.reserved.add(want)
	return &Hold{l: l, a: a, held: want}, nil
}

// Held returns the amount set aside: the child's budget (a zero part is unlimited).
func (h *Hold) Held() Amount { return h.held }

// Settle ends the hold and charges the run actual, what the child spent (recorded even past
// what was held: the tokens were spent). Later calls do nothing.
func (h *Hold) Settle(actual Amount) {
	actual = Amount{max(actual.Tokens, 0), max(actual.Money, 0)}
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	if h.done {
		return
	}
	h.done = true
	h.a.reserved = h.a.reserved.sub(h.held)
	h.a.used = h.a.used.add(actual)
}
