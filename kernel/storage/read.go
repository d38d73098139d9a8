package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/aiosys/aios/kernel/space"
)

// Get returns the key's newest version with its value; ErrNotFound when the key does not exist
// or its newest version is a tombstone.
func (s *Store) Get(ctx context.Context, sp space.Space, key string) (Item, error) {
	if err := s.checkRead(sp, key); err != nil {
		return Item{}, fmt.Errorf("storage get: %w", err)
	}
	it, err := s.item(ctx, `SELECT v.version, v.time_ns, v.deleted, v.value FROM heads h
		JOIN versions v ON v.space = h.space AND v.key = h.key AND v.version = h.version
		WHERE h.space = ? AND h.key = ? AND h.deleted = 0`, string(sp), []byte(key))
	if err != nil {
		return Item{}, fmt.Errorf("storage get %s: %w", quoteKey(key), err)
	}
	it.Key = key
	return it, nil
}

// GetVersion returns one version of the key with its value. A tombstone is returned as an Item
// with Deleted set and no value.
func (s *Store) GetVersion(ctx context.Context, sp space.Space, key string, v Version) (Item, error) {
	if err := s.checkRead(sp, key); err != nil {
		return Item{}, fmt.Errorf("storage get: %w", err)
	}
	if v <= 0 {
		return Item{}, fmt.Errorf("storage get %s: %w: version %d (versions start at 1)", quoteKey(key), ErrInvalid, v)
	}
	it, err := s.item(ctx, `SELECT version, time_ns, deleted, value FROM versions
		WHERE space = ? AND key = ? AND version = ?`, string(sp), []byte(key), int64(v))
	if err != nil {
		return Item{}, fmt.Errorf("storage get %s version %d: %w", quoteKey(key), v, err)
	}
	it.Key = key
	return it, nil
}

// item runs a query for one version's version, time_ns, deleted and value.
func (s *Store) item(ctx context.Context, query string, args ...any) (Item, error) {
	var it Item
	var ns int64
	err := s.db.QueryRowContext(ctx, query, args...).Scan(&it.Version, &ns, &it.Deleted, &it.Value)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, ErrNotFound
	}
	if err != nil {
		return Item{}, err
	}
	it.Time = fromNanos(ns)
	it.Size = int64(len(it.Value))
	if it.Value == nil {
		it.Value = []byte{}
	}
	return it, nil
}

// List returns the keys of the space that start with prefix and sort after the key after (any
// key when after is empty), in byte order, with their newest versions; deleted keys are left
// out. At most limit entries come back (DefaultPage for zero or less, at most MaxPage); next is
// the after of the following page, or empty on the last page.
func (s *Store) List(ctx context.Context, sp space.Space, prefix, after string, limit int) (entries []Entry, next string, err error) {
	if err := s.open(); err != nil {
		return nil, "", err
	}
	if err := checkSpace(sp); err != nil {
		return nil, "", fmt.Errorf("storage list: %w", err)
	}
	if err := s.checkKeyText("prefix", prefix); err != nil {
		return nil, "", fmt.Errorf("storage list: %w", err)
	}
	if err := s.checkKeyText("cursor", after); err != nil {
		return nil, "", fmt.Errorf("storage list: %w", err)
	}
	limit = clampPage(limit)
	// Keys start with prefix exactly when prefix <= key < end; key > after skips earlier pages
	// (every non-empty key is greater than the empty after).
	query := `SELECT key, version, time_ns, size FROM heads
		WHERE space = ? AND deleted = 0 AND key >= ? AND key > ?`
	args := []any{string(sp), []byte(prefix), []byte(after)}
	if end, ok := prefixEnd(prefix); ok {
		query += ` AND key < ?`
		args = append(args, []byte(end))
	}
	query += ` ORDER BY key LIMIT ?`
	args = append(args, limit+1) // one more tells whether there is a next page
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("storage list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var key []byte
		var ns int64
		if err := rows.Scan(&key, &e.Version, &ns, &e.Size); err != nil {
			return nil, "", fmt.Errorf("storage list: %w", err)
		}
		e.Key, e.Time = string(key), fromNanos(ns)
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("storage list: %w", err)
	}
	if len(entries) > limit {
		entries = entries[:limit]
		next = entries[limit-1].Key
	}
	return entries, next, nil
}

// History returns the versions of the key older than before (all of them when before is
// zero), newest first, at most limit of them (DefaultPage for zero or less, at most MaxPage).
// A key that was never written fails with ErrNotFound.
func (s *Store) History(ctx context.Context, sp space.Space, key string, before Version, limit int) ([]Revision, error) {
	if err := s.checkRead(sp, key); err != nil {
		return nil, fmt.Errorf("storage history: %w", err)
	}
	if before < 0 {
		return nil, fmt.Errorf("storage history %s: %w: before version %d", quoteKey(key), ErrInvalid, before)
	}
	if before == 0 {
		before = Version(1<<63 - 1)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT version, time_ns, deleted, length(value) FROM versions
		WHERE space = ? AND key = ? AND version < ? ORDER BY version DESC LIMIT ?`,
		string(sp), []byte(key), int64(before), clampPage(limit))
	if err != nil {
		return nil, fmt.Errorf("storage history %s: %w", quoteKey(key), err)
	}
	defer rows.Close()
	var revs []Revision
	for rows.Next() {
		var r Revision
		var ns int64
		if err := rows.Scan(&r.Version, &ns, &r.Deleted, &r.Size); err != nil {
			return nil, fmt.Errorf("storage history %s: %w", quoteKey(key), err)
		}
		r.Time = fromNanos(ns)
		revs = append(revs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage history %s: %w", quoteKey(key), err)
	}
	if len(revs) == 0 {
		if err := s.exists(ctx, sp, key); err != nil {
			return nil, fmt.Errorf("storage history %s: %w", quoteKey(key), err)
		}
	}
	return revs, nil
}

// exists returns nil if the key was ever written, ErrNotFound if not.
func (s *Store) exists(ctx context.Context, sp space.Space, key string) error {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM heads WHERE space = ? AND key = ?`, string(sp), []byte(key)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Usage returns what the space holds, as its quotas count it.
func (s *Store) Usage(ctx context.Context, sp space.Space) (Usage, error) {
	if err := s.open(); err != nil {
		return Usage{}, err
	}
	if err := checkSpace(sp); err != nil {
		return Usage{}, fmt.Errorf("storage usage: %w", err)
	}
	u, err := usageOf(ctx, s.db, sp)
	if err != nil {
		return Usage{}, fmt.Errorf("storage usage: %w", err)
	}
	return u, nil
}

// checkRead checks the arguments every read of one key takes.
func (s *Store) checkRead(sp space.Space, key string) error {
	if err := s.open(); err != nil {
		return err
	}
	if err := checkSpace(sp); err != nil {
		return err
	}
	return s.checkKey(key)
}
