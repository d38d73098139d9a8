package quota

// Reservation is use held against budgets for one call in progress. Exactly one of Settle or
// Release takes effect; later calls do nothing.
type Reservation struct {
	l     *Ledger
	accts []*account
	held  Amount
	done  bool
}

// Held returns the amount the reservation holds.
func (r *Reservation) Held() Amount { return r.held }

// Settle ends the reservation and records actual as used.
//
// # Notes
//
// actual is recorded even if it exceeds what was held (the tokens were spent); the limit then
// refuses further reservations. Callers keep the estimate an upper bound (for example by
// capping max_tokens) so that this does not happen.
func (r *Reservation) Settle(actual Amount) {
	actual = Amount{max(actual.Tokens, 0), max(actual.Money, 0)}
	r.end(actual)
}

// Release ends the reservation with nothing used (the call failed before spending).
func (r *Reservation) Release() { r.end(Amount{}) }

func (r *Reservation) end(used Amount) {
	r.l.mu.Lock()
	defer r.l.mu.Unlock()
	if r.done {
		return
	}
	r.done = true
	for _, a := range r.accts {
		a.reserved = a.reserved.sub(r.held)
		a.used = a.used.add(used)
	}
}
