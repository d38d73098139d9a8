package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/writekey"
)

// writeKeysSchema is the second migration: the write keys of durable runs (kernel/writekey).
// A row says that the write named (run, attempt, call) in space made version of key by op; it
// is inserted in the write's own savepoint, so a write and its key commit together or not at
// all, and removed by ForgetRun when the run ends. Every lookup names the space, so a key
// recorded in one space never answers a write in another; the run leads the primary key, so
// that ForgetRun needs no index of its own.
const writeKeysSchema = `
CREATE TABLE write_keys (
	space   TEXT    NOT NULL,
	run     TEXT    NOT NULL,
	attempt INTEGER NOT NULL,
	call    INTEGER NOT NULL,
	op      TEXT    NOT NULL,
	key     BLOB    NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (run, attempt, call, space)
) WITHOUT ROWID;
`

// recordedWrite returns the version the write named k made in sp, and false when k is not
// recorded there. A k recorded for another operation or key fails with ErrInvalid: the run
// made a different call at the same place, which a durable run never does.
func recordedWrite(ctx context.Context, tx *sql.Tx, sp space.Space, k writekey.Key, op, key string) (Version, bool, error) {
	var (
		recOp  string
		recKey []byte
		v      Version
	)
	err := tx.QueryRowContext(ctx, `SELECT op, key, version FROM write_keys WHERE space = ? AND run = ? AND attempt = ? AND call = ?`,
		string(sp), k.Run, k.Attempt, k.Call).Scan(&recOp, &recKey, &v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	case recOp != op || string(recKey) != key:
		return 0, false, fmt.Errorf("%w: write key %s was recorded for the %s of %s, not this %s", ErrInvalid, k, recOp, quoteKey(string(recKey)), op)
	}
	return v, true, nil
}

// recordWrite records that the write named k made version v of key in sp by op.
func recordWrite(ctx context.Context, tx *sql.Tx, sp space.Space, k writekey.Key, op, key string, v Version) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO write_keys (space, run, attempt, call, op, key, version) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(sp), k.Run, k.Attempt, k.Call, op, []byte(key), int64(v))
	return err
}

// ForgetRun removes the write keys of run, which has ended: no call of it will be made again.
// It is called once a run's end is recorded, so that the keys of ended runs do not accumulate.
func (s *Store) ForgetRun(ctx context.Context, run string) error {
	if err := s.open(); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM write_keys WHERE run = ?`, run); err != nil {
		return fmt.Errorf("storage: forget the write keys of run %s: %w", run, err)
	}
	return nil
}

// WriteKeys returns how many write keys the store holds for run, recorded by any attempt.
func (s *Store) WriteKeys(ctx context.Context, run string) (int, error) {
	if err := s.open(); err != nil {
		return 0, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM write_keys WHERE run = ?`, run).Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: count the write keys of run %s: %w", run, err)
	}
	return n, nil
}
