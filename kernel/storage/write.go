package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/aiosys/aios/kernel/space"
)

// Put appends value as the key's next version and returns that version.
func (s *Store) Put(ctx context.Context, sp space.Space, key string, value []byte) (Version, error) {
	if len(value) > s.limits.MaxValueBytes {
		return 0, fmt.Errorf("storage put %s: %w: the value of %d bytes is larger than %d", quoteKey(key), ErrInvalid, len(value), s.limits.MaxValueBytes)
	}
	return s.write(ctx, "put", sp, key, func(context.Context, *sql.Tx, head) ([]byte, bool, error) {
		return value, false, nil
	})
}

// Delete appends a tombstone to the key, so that Get and List no longer see it while History
// and Rollback still do. Deleting a key that does not exist, or whose newest version is a
// tombstone already, fails with ErrNotFound.
func (s *Store) Delete(ctx context.Context, sp space.Space, key string) (Version, error) {
	return s.write(ctx, "delete", sp, key, func(_ context.Context, _ *sql.Tx, h head) ([]byte, bool, error) {
		if !h.exists || h.deleted {
			return nil, false, ErrNotFound
		}
		return nil, true, nil
	})
}

// Rollback appends a copy of version to (its value, or its tombstone) as the key's next
// version, and returns the new version. History is never rewritten.
func (s *Store) Rollback(ctx context.Context, sp space.Space, key string, to Version) (Version, error) {
	if to <= 0 {
		return 0, fmt.Errorf("storage rollback %s: %w: version %d (versions start at 1)", quoteKey(key), ErrInvalid, to)
	}
	return s.write(ctx, "rollback", sp, key, func(ctx context.Context, tx *sql.Tx, h head) ([]byte, bool, error) {
		if !h.exists || to > h.version {
			return nil, false, fmt.Errorf("%w: no version %d", ErrNotFound, to)
		}
		return copyVersion(ctx, tx, sp, key, to)
	})
}

// RollbackTo appends a copy of the version that was newest at time t (the newest one written at
// or before t) as the key's next version, and returns the new version. A t before the key's
// first version fails with ErrNotFound.
func (s *Store) RollbackTo(ctx context.Context, sp space.Space, key string, t time.Time) (Version, error) {
	return s.write(ctx, "rollback", sp, key, func(ctx context.Context, tx *sql.Tx, h head) ([]byte, bool, error) {
		if !h.exists {
			return nil, false, ErrNotFound
		}
		var to Version
		err := tx.QueryRowContext(ctx, `SELECT version FROM versions WHERE space = ? AND key = ? AND time_ns <= ?
			ORDER BY version DESC LIMIT 1`, string(sp), []byte(key), nanos(t)).Scan(&to)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, false, fmt.Errorf("%w: no version at or before %s", ErrNotFound, t.UTC().Format(time.RFC3339Nano))
		}
		if err != nil {
			return nil, false, err
		}
		return copyVersion(ctx, tx, sp, key, to)
	})
}

// copyVersion reads the value and tombstone flag of one version.
func copyVersion(ctx context.Context, tx *sql.Tx, sp space.Space, key string, v Version) ([]byte, bool, error) {
	var value []byte
	var deleted bool
	err := tx.QueryRowContext(ctx, `SELECT value, deleted FROM versions WHERE space = ? AND key = ? AND version = ?`,
		string(sp), []byte(key), int64(v)).Scan(&value, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, fmt.Errorf("%w: no version %d", ErrNotFound, v)
	}
	return value, deleted, err
}

// head is a key's newest version, as the heads table holds it.
type head struct {
	exists  bool
	version Version
	timeNs  int64
	deleted bool
}

// change decides, inside the write transaction and given the key's head, the value of the
// version to append and whether it is a tombstone. An error from it aborts the write.
type change func(ctx context.Context, tx *sql.Tx, h head) (value []byte, deleted bool, err error)

// appendVersion appends one version to key inside tx: it reads the key's head, asks c for the
// new version, checks the space's quotas, and writes the version, the head and the usage.
func (s *Store) appendVersion(ctx context.Context, tx *sql.Tx, sp space.Space, key string, c change) (Version, error) {
	var h head
	err := tx.QueryRowContext(ctx, `SELECT version, time_ns, deleted FROM heads WHERE space = ? AND key = ?`,
		string(sp), []byte(key)).Scan(&h.version, &h.timeNs, &h.deleted)
	switch {
	case err == nil:
		h.exists = true
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	value, deleted, err := c(ctx, tx, h)
	if err != nil {
		return 0, err
	}
	if value == nil {
		value = []byte{} // the column is NOT NULL; a tombstone or an empty value is empty bytes
	}
	if err := s.checkQuota(ctx, tx, sp, int64(len(key)+len(value))); err != nil {
		return 0, err
	}
	v := h.version + 1
	now := nanos(s.limits.Now())
	if now < h.timeNs {
		now = h.timeNs // a key's times never go backwards; see the package doc
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO versions (space, key, version, time_ns, deleted, value)
		VALUES (?, ?, ?, ?, ?, ?)`, string(sp), []byte(key), int64(v), now, deleted, value); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO heads (space, key, version, time_ns, deleted, size)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (space, key) DO UPDATE SET
		version = excluded.version, time_ns = excluded.time_ns, deleted = excluded.deleted, size = excluded.size`,
		string(sp), []byte(key), int64(v), now, deleted, len(value)); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO usage (space, versions, bytes) VALUES (?, 1, ?)
		ON CONFLICT (space) DO UPDATE SET versions = versions + 1, bytes = bytes + excluded.bytes`,
		string(sp), len(key)+len(value)); err != nil {
		return 0, err
	}
	return v, nil
}

// checkQuota fails with ErrQuota if one more version of size bytes would take the space past
// its quotas.
func (s *Store) checkQuota(ctx context.Context, tx *sql.Tx, sp space.Space, size int64) error {
	u, err := usageOf(ctx, tx, sp)
	if err != nil {
		return err
	}
	if u.Versions >= s.limits.MaxVersionsPerSpace {
		return fmt.Errorf("%w: the space holds %d versions, its limit", ErrQuota, u.Versions)
	}
	if u.Bytes+size > s.limits.MaxBytesPerSpace {
		return fmt.Errorf("%w: the space holds %d bytes; %d more would pass its limit of %d", ErrQuota, u.Bytes, size, s.limits.MaxBytesPerSpace)
	}
	return nil
}

// querier is what both *sql.DB and *sql.Tx offer for one-row queries.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// usageOf reads the totals of a space; zero for a space that has never written.
func usageOf(ctx context.Context, q querier, sp space.Space) (Usage, error) {
	var u Usage
	err := q.QueryRowContext(ctx, `SELECT versions, bytes FROM usage WHERE space = ?`, string(sp)).Scan(&u.Versions, &u.Bytes)
	if errors.Is(err, sql.ErrNoRows) {
		return Usage{}, nil
	}
	return u, err
}
