package memory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/writekey"
)

// writeKeys is the third migration: the write keys of durable runs (kernel/writekey). A row
// says that the write named (run, attempt, call) in space was op on entry id (for an add, the
// id it made); it is inserted in the write's own transaction and removed by ForgetRun when the
// run ends. Every lookup names the space, so a key recorded in one space never answers a write
// in another; the run leads the primary key, so that ForgetRun needs no index of its own.
const writeKeys = `
CREATE TABLE IF NOT EXISTS write_keys (
	space   TEXT    NOT NULL,
	run     TEXT    NOT NULL,
	attempt INTEGER NOT NULL,
	call    INTEGER NOT NULL,
	op      TEXT    NOT NULL,
	id      TEXT    NOT NULL,
	PRIMARY KEY (run, attempt, call, space)
) WITHOUT ROWID;
`

// keyedWrite is the write key of one write and what it does, for the write's transaction to
// check and record; nil for a write without a key.
type keyedWrite struct {
	key writekey.Key
	op  string // "add", "update" or "delete"
	id  ID     // the entry an update or delete names; "" for an add
}

// keyOf returns the write key ctx carries for op on id, nil when it carries none.
func keyOf(ctx context.Context, op string, id ID) (*keyedWrite, error) {
	k, ok := writekey.From(ctx)
	if !ok {
		return nil, nil
	}
	if err := k.Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return &keyedWrite{key: k, op: op, id: id}, nil
}

// recorded returns the entry id recorded with w's key in sp, and false when the key is not
// recorded there. A key recorded for another operation or entry fails with ErrInvalid: the run
// made a different call at the same place, which a durable run never does.
func (w *keyedWrite) recorded(ctx context.Context, q querier, sp space.Space) (ID, bool, error) {
	if w == nil {
		return "", false, nil
	}
	var op, id string
	err := q.QueryRowContext(ctx, `SELECT op, id FROM write_keys WHERE space = ? AND run = ? AND attempt = ? AND call = ?`,
		string(sp), w.key.Run, w.key.Attempt, w.key.Call).Scan(&op, &id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read write key: %w", err)
	case op != w.op || (w.op != "add" && ID(id) != w.id):
		return "", false, fmt.Errorf("%w: write key %s was recorded for the %s of entry %s, not this %s", ErrInvalid, w.key, op, id, w.op)
	}
	return ID(id), true, nil
}

// record records w's key in sp with the entry it wrote, w.id.
func (w *keyedWrite) record(ctx context.Context, tx *sql.Tx, sp space.Space) error {
	if w == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO write_keys (space, run, attempt, call, op, id) VALUES (?, ?, ?, ?, ?, ?)`,
		string(sp), w.key.Run, w.key.Attempt, w.key.Call, w.op, string(w.id)); err != nil {
		return fmt.Errorf("record write key: %w", err)
	}
	return nil
}

// ForgetRun removes the write keys of run, which has ended: no call of it will be made again.
// It is called once a run's end is recorded, so that the keys of ended runs do not accumulate.
func (s *Store) ForgetRun(ctx context.Context, run string) error {
	leave, err := s.enter()
	if err != nil {
		return err
	}
	defer leave()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM write_keys WHERE run = ?`, run); err != nil {
		return fmt.Errorf("memory: forget the write keys of run %s: %w", run, err)
	}
	return nil
}

// WriteKeys returns how many write keys the store holds for run, recorded by any attempt.
func (s *Store) WriteKeys(ctx context.Context, run string) (int, error) {
	leave, err := s.enter()
	if err != nil {
		return 0, err
	}
	defer leave()
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM write_keys WHERE run = ?`, run).Scan(&n); err != nil {
		return 0, fmt.Errorf("memory: count the write keys of run %s: %w", run, err)
	}
	return n, nil
}
