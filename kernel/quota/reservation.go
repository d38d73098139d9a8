package quota

import "time"

// Reservation is use held against budgets for one call in progress. Exactly one of Settle or
// Release takes effect; later calls do nothing.
type Reservation struct {
	l       *Ledger
	accts   []*account // the accounts in memory that hold it: in inAccts
	inAccts [maxPayerKeys]*account
	held    Amount
	at      time.Time // when it was made: its use counts in the periods holding this time
	done    bool
	// For a ledger in a file: the reservation's row and whom it charges there.
	id    int64
	payer Payer
}

// Held returns the amount the reservation holds.
func (r *Reservation) Held() Amount { return r.held }

// Settle ends the reservation and records actual as used, in the periods holding the time the
// reservation was made (so a call that spans midnight UTC is charged to the day it was checked
// against).
//
// # Notes
//
// actual is recorded even if it exceeds what was held (the tokens were spent); the limit then
// refuses further reservations. Callers keep the estimate an upper bound (for example by
// capping max_tokens) so that this does not happen.
//
// For a ledger in a file, the settlement is written by the ledger's writer, not by Settle's
// caller: settlements that end while the writer is busy are committed together, in one
// transaction, and this process's next Reserve against a limit, Balance or Close waits for
// them, so what this process sees is exact. A settlement the file refuses (an I/O error) leaves
// the whole reservation held, which errs on the side of the budget, until the process ends and
// its lease lapses (see OpenLedger); Close reports the error.
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
		if a.limit.Period.start(r.at).Equal(a.start) {
			a.used = a.used.add(used)
		}
	}
	if r.l.db != nil && (r.id != 0 || used != (Amount{})) {
		r.l.db.enqueue(settlement{id: r.id, payer: r.payer, used: used, at: r.at})
	}
}
