package quota

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The ledger file's statements, prepared when it is opened (see store.prepared).
const (
	reclaimLapsed = `DELETE FROM reservations WHERE expires < ?`
	hold          = `INSERT INTO reservations (owner, expires, agent, tenant, tokens, money) VALUES (?, ?, ?, ?, ?, ?)`
	unhold        = `DELETE FROM reservations WHERE id = ?`
	spentIn       = `SELECT tokens, money FROM spent WHERE scope = ? AND name = ? AND period = ?`
	heldByAgent   = `SELECT tokens, money FROM reservations WHERE agent = ?`
	heldByTenant  = `SELECT tokens, money FROM reservations WHERE tenant = ?`
	renew         = `UPDATE reservations SET expires = ? WHERE owner = ?`
	releaseOwn    = `DELETE FROM reservations WHERE owner = ?`
	// addSpent adds to an account's use in one period, saturating at the largest int64
	// (amounts are never negative, so the subtraction in the test cannot wrap).
	addSpent = `INSERT INTO spent (scope, name, period, tokens, money) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (scope, name, period) DO UPDATE SET
	tokens = CASE WHEN tokens > 9223372036854775807 - excluded.tokens THEN 9223372036854775807 ELSE tokens + excluded.tokens END,
	money  = CASE WHEN money  > 9223372036854775807 - excluded.money  THEN 9223372036854775807 ELSE money  + excluded.money  END`
)

var statements = []string{reclaimLapsed, hold, unhold, spentIn, heldByAgent, heldByTenant, renew, releaseOwn, addSpent}

// limitOf is the limit this process sets on an account of the ledger file.
type limitOf struct {
	key   key
	limit Limit
}

// reserve checks est against the limits, each with the use and reservations of every process
// in the file, and records the reservation, all in one write transaction. The transaction
// first writes this process's pending settlements (so its ended calls count as what they used,
// not what they held) and deletes reservations whose lease lapsed; those are committed even
// when the budget refuses est.
//
// The caller holds the ledger's mutex and has waited for the writer (waitIdle).
func (s *store) reserve(p Payer, est Amount, limits []limitOf, now time.Time) (id int64, err error) {
	s.dbmu.Lock()
	defer s.dbmu.Unlock()
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (sqlitedb): the write lock from the start
	if err != nil {
		return 0, fmt.Errorf("quota ledger: %w", err)
	}
	batch := s.pending
	s.pending = nil
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
			s.pending = append(batch, s.pending...) // for the writer, or the next try
		}
	}()
	if err := s.settleIn(ctx, tx, batch); err != nil {
		return 0, fmt.Errorf("quota ledger: settle ended calls: %w", err)
	}
	if _, err := s.exec(ctx, tx, reclaimLapsed, now.UnixNano()); err != nil {
		return 0, fmt.Errorf("quota ledger: reclaim lapsed reservations: %w", err)
	}
	var refused error
	for _, lo := range limits {
		used, reserved, err := s.use(ctx, tx, lo.key, lo.limit.Period.key(now))
		if err != nil {
			return 0, err
		}
		if refused = checkRoom(lo.key, lo.limit, used, reserved, est); refused != nil {
			break
		}
	}
	if refused == nil {
		var tenant any // NULL: no tenant
		if p.Tenant != "" {
			tenant = []byte(p.Tenant)
		}
		res, err := s.exec(ctx, tx, hold, s.owner, now.Add(s.lease).UnixNano(), []byte(p.Agent), tenant, est.Tokens, int64(est.Money))
		if err != nil {
			return 0, fmt.Errorf("quota ledger: record the reservation: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return 0, fmt.Errorf("quota ledger: record the reservation: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("quota ledger: commit the reservation: %w", err)
	}
	committed = true
	s.settled(batch)
	if refused != nil {
		return 0, refused
	}
	s.open++
	return id, nil
}

// use reads an account's settled use in one period and what reservations hold against it. Sums
// saturate (see Add).
func (s *store) use(ctx context.Context, tx *sql.Tx, k key, period string) (used, reserved Amount, err error) {
	var money int64
	rows, err := s.query(ctx, tx, spentIn, int(k.scope), []byte(k.name), period)
	if err == nil {
		if rows.Next() {
			err = rows.Scan(&used.Tokens, &money)
		}
		err = errors.Join(err, rows.Err(), rows.Close())
	}
	if err != nil {
		return used, reserved, fmt.Errorf("quota ledger: read the use of %s %q: %w", k.scope, k.name, err)
	}
	used.Money = Cost(money)
	held := heldByAgent
	if k.scope == Tenant {
		held = heldByTenant
	}
	rows, err = s.query(ctx, tx, held, []byte(k.name))
	if err != nil {
		return used, reserved, fmt.Errorf("quota ledger: read the reservations of %s %q: %w", k.scope, k.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Amount
		if err := rows.Scan(&a.Tokens, &money); err != nil {
			return used, reserved, fmt.Errorf("quota ledger: read the reservations of %s %q: %w", k.scope, k.name, err)
		}
		a.Money = Cost(money)
		reserved = reserved.add(a)
	}
	if err := rows.Err(); err != nil {
		return used, reserved, fmt.Errorf("quota ledger: read the reservations of %s %q: %w", k.scope, k.name, err)
	}
	return used, reserved, nil
}

// settlement is a reservation ended in memory and not yet in the file: reservation id (0 when
// nothing was held) is replaced by the use it ended with, recorded under every period holding
// at for the payer's agent and tenant.
type settlement struct {
	id    int64
	payer Payer
	used  Amount
	at    time.Time
}

// enqueue hands a settlement to the ledger's writer. The caller holds the ledger's mutex.
func (s *store) enqueue(st settlement) {
	s.pending = append(s.pending, st)
	select {
	case s.kick <- struct{}{}:
	default: // the writer is already told
	}
}

// waitIdle waits until the writer is not writing, so that everything this process settled is
// in the file or pending. The caller holds the ledger's mutex; waiting releases it, so callers
// wait before they read anything it guards. Once it returns, the writer cannot start a batch
// until the mutex is released.
func (s *store) waitIdle() {
	for s.writing {
		s.idle.Wait()
	}
}

// flush writes the pending settlements in one transaction, after the writer's batch in
// progress. The caller holds the ledger's mutex.
func (s *store) flush() {
	s.waitIdle()
	if len(s.pending) == 0 {
		return
	}
	batch := s.pending
	s.pending = nil
	s.dbmu.Lock()
	err := s.settle(batch)
	s.dbmu.Unlock()
	s.wrote(batch, err)
}

// wrote accounts for a batch written, or refused by the file: a refusal is kept for Close, and
// the batch's reservations stay held (their leases lapse when the process ends). The caller
// holds the ledger's mutex.
func (s *store) wrote(batch []settlement, err error) {
	if err != nil {
		if s.err == nil {
			s.err = fmt.Errorf("quota ledger: settle %d reservations (agent %q first): %w", len(batch), batch[0].payer.Agent, err)
		}
		return
	}
	s.settled(batch)
}

// settled counts the reservations of a written batch as no longer held.
func (s *store) settled(batch []settlement) {
	for _, st := range batch {
		if st.id != 0 {
			s.open--
		}
	}
}

func (s *store) settle(batch []settlement) (err error) {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := s.settleIn(ctx, tx, batch); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// settleIn writes batch in tx: each reservation's hold is deleted and its use added to its
// agent's and tenant's accounts, under every period holding the time it was made.
func (s *store) settleIn(ctx context.Context, tx *sql.Tx, batch []settlement) error {
	for _, st := range batch {
		if st.id != 0 { // 0: nothing was held (no limit to check)
			if _, err := s.exec(ctx, tx, unhold, st.id); err != nil {
				return err
			}
		}
		if st.used == (Amount{}) {
			continue
		}
		keys := []key{{Agent, st.payer.Agent}}
		if st.payer.Tenant != "" {
			keys = append(keys, key{Tenant, st.payer.Tenant})
		}
		for _, k := range keys {
			for _, per := range periods {
				if _, err := s.exec(ctx, tx, addSpent, int(k.scope), []byte(k.name), per.key(st.at), st.used.Tokens, int64(st.used.Money)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// balance reads an account of the file, in one read transaction, against the limit lim that
// this process sets on it.
func (s *store) balance(k key, lim Limit, now time.Time) (Balance, error) {
	s.flush()
	s.dbmu.Lock()
	defer s.dbmu.Unlock()
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Balance{Limit: lim}, fmt.Errorf("quota ledger: %w", err)
	}
	defer tx.Rollback()
	used, reserved, err := s.use(ctx, tx, k, lim.Period.key(now))
	if err != nil {
		return Balance{Limit: lim}, err
	}
	return Balance{Limit: lim, Used: used, Reserved: reserved}, nil
}
