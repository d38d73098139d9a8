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
// in the file, and records the reservation, all in one write transaction. Reservations whose
// lease lapsed are deleted first.
func (s *store) reserve(p Payer, est Amount, limits []limitOf, now time.Time) (id int64, err error) {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (sqlitedb): the write lock from the start
	if err != nil {
		return 0, fmt.Errorf("quota ledger: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := s.exec(ctx, tx, reclaimLapsed, now.UnixNano()); err != nil {
		return 0, fmt.Errorf("quota ledger: reclaim lapsed reservations: %w", err)
	}
	for _, lo := range limits {
		used, reserved, err := s.use(ctx, tx, lo.key, lo.limit.Period.key(now))
		if err != nil {
			return 0, err
		}
		if err := checkRoom(lo.key, lo.limit, used, reserved, est); err != nil {
			return 0, err
		}
	}
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
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("quota ledger: commit the reservation: %w", err)
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

// settle replaces reservation id by the use it ended with, recorded under every period holding
// at for the payer's agent and tenant. A refusal of the file is kept for Close, and the
// reservation stays held.
func (s *store) settle(id int64, p Payer, used Amount, at time.Time) {
	if err := s.trySettle(id, p, used, at); err != nil {
		if s.err == nil {
			s.err = fmt.Errorf("quota ledger: settle a reservation of agent %q: %w", p.Agent, err)
		}
		return
	}
	if id != 0 {
		s.open--
	}
}

func (s *store) trySettle(id int64, p Payer, used Amount, at time.Time) (err error) {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if id != 0 { // 0: nothing was held (no limit to check)
		if _, err := s.exec(ctx, tx, unhold, id); err != nil {
			return err
		}
	}
	if used != (Amount{}) {
		keys := []key{{Agent, p.Agent}}
		if p.Tenant != "" {
			keys = append(keys, key{Tenant, p.Tenant})
		}
		for _, k := range keys {
			for _, per := range periods {
				if _, err := s.exec(ctx, tx, addSpent, int(k.scope), []byte(k.name), per.key(at), used.Tokens, int64(used.Money)); err != nil {
					return err
				}
			}
		}
	}
	return tx.Commit()
}

// balance reads an account of the file, in one read transaction, against the limit lim that
// this process sets on it.
func (s *store) balance(k key, lim Limit, now time.Time) (Balance, error) {
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
