package memory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aiosys/aios/kernel/space"
)

// Add stores e in sp and returns its new ID. With an Embedder, the text is embedded first (an
// embedder error fails the Add and stores nothing). It fails with ErrQuota when the entry would
// take sp past its entry or byte quota.
func (s *Store) Add(ctx context.Context, sp space.Space, e Entry) (ID, error) {
	leave, err := s.enter()
	if err != nil {
		return "", err
	}
	defer leave()
	w, err := s.prepareWrite(ctx, sp, e)
	if err != nil {
		return "", fmt.Errorf("memory add: %w", err)
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	err = s.write(ctx, sp, w, func(tx *sql.Tx, u Usage) error {
		if u.Entries+1 > s.opts.MaxEntriesPerSpace {
			return fmt.Errorf("%w: the space holds %d entries, at most %d", ErrQuota, u.Entries, s.opts.MaxEntriesPerSpace)
		}
		if u.Bytes+w.size > s.opts.MaxBytesPerSpace {
			return fmt.Errorf("%w: the space holds %d bytes, adding %d passes %d", ErrQuota, u.Bytes, w.size, s.opts.MaxBytesPerSpace)
		}
		now := s.opts.Now().UnixNano()
		res, err := tx.ExecContext(ctx, `INSERT INTO entries (space, id, text, meta, bytes, vec, created, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(sp), string(id), e.Text, w.meta, w.size, w.blob, now, now)
		if err != nil {
			return fmt.Errorf("insert entry: %w", err)
		}
		n, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("insert entry: %w", err)
		}
		if err := insertMeta(ctx, tx, n, e.Metadata); err != nil {
			return err
		}
		return setUsage(ctx, tx, sp, Usage{Entries: u.Entries + 1, Bytes: u.Bytes + w.size})
	})
	if err != nil {
		return "", fmt.Errorf("memory add: %w", err)
	}
	return id, nil
}

// Update replaces the text and metadata of the entry id in sp.
func (s *Store) Update(ctx context.Context, sp space.Space, id ID, e Entry) error {
	leave, err := s.enter()
	if err != nil {
		return err
	}
	defer leave()
	if err := checkID(id); err != nil {
		return fmt.Errorf("memory update: %w", err)
	}
	w, err := s.prepareWrite(ctx, sp, e)
	if err != nil {
		return fmt.Errorf("memory update: %w", err)
	}
	err = s.write(ctx, sp, w, func(tx *sql.Tx, u Usage) error {
		n, old, err := lookup(ctx, tx, sp, id)
		if err != nil {
			return err
		}
		if b := u.Bytes - old + w.size; b > s.opts.MaxBytesPerSpace {
			return fmt.Errorf("%w: the update takes the space to %d bytes, at most %d", ErrQuota, b, s.opts.MaxBytesPerSpace)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET text = ?, meta = ?, bytes = ?, vec = ?, updated = ? WHERE n = ?`,
			e.Text, w.meta, w.size, w.blob, s.opts.Now().UnixNano(), n); err != nil {
			return fmt.Errorf("update entry: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM entry_meta WHERE n = ?`, n); err != nil {
			return fmt.Errorf("update metadata: %w", err)
		}
		if err := insertMeta(ctx, tx, n, e.Metadata); err != nil {
			return err
		}
		return setUsage(ctx, tx, sp, Usage{Entries: u.Entries, Bytes: u.Bytes - old + w.size})
	})
	if err != nil {
		return fmt.Errorf("memory update %s: %w", id, err)
	}
	return nil
}

// Delete removes the entry id from sp.
func (s *Store) Delete(ctx context.Context, sp space.Space, id ID) error {
	leave, err := s.enter()
	if err != nil {
		return err
	}
	defer leave()
	if err := checkSpace(sp); err != nil {
		return fmt.Errorf("memory delete: %w", err)
	}
	if err := checkID(id); err != nil {
		return fmt.Errorf("memory delete: %w", err)
	}
	err = s.write(ctx, sp, prepared{}, func(tx *sql.Tx, u Usage) error {
		n, old, err := lookup(ctx, tx, sp, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE n = ?`, n); err != nil {
			return fmt.Errorf("delete entry: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM entry_meta WHERE n = ?`, n); err != nil {
			return fmt.Errorf("delete metadata: %w", err)
		}
		return setUsage(ctx, tx, sp, Usage{Entries: u.Entries - 1, Bytes: u.Bytes - old})
	})
	if err != nil {
		return fmt.Errorf("memory delete %s: %w", id, err)
	}
	return nil
}

// prepared is an entry validated, encoded and embedded, ready for a transaction.
type prepared struct {
	size int64
	meta string
	vec  []float32 // nil: no embedder, or empty text
	blob []byte
}

// prepareWrite validates e and embeds its text outside the write lock, since an embedding call
// can take long.
func (s *Store) prepareWrite(ctx context.Context, sp space.Space, e Entry) (prepared, error) {
	if err := checkSpace(sp); err != nil {
		return prepared{}, err
	}
	size, err := s.checkEntry(e)
	if err != nil {
		return prepared{}, err
	}
	meta := e.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	mj, err := json.Marshal(meta)
	if err != nil {
		return prepared{}, fmt.Errorf("encode metadata: %w", err)
	}
	p := prepared{size: size, meta: string(mj)}
	if s.opts.Embedder != nil && e.Text != "" {
		if p.vec, err = s.embed(ctx, e.Text); err != nil {
			return prepared{}, err
		}
		p.blob = encodeVec(p.vec)
	}
	return p, nil
}

// write runs fn in a transaction under the write lock, with sp's usage as it stands, records
// the store's dimension with the first vector, and drops sp's cached vectors after commit.
func (s *Store) write(ctx context.Context, sp space.Space, w prepared, fn func(*sql.Tx, Usage) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	newDim := false
	if w.vec != nil {
		s.dimMu.Lock()
		dim := s.dim
		s.dimMu.Unlock()
		switch {
		case dim == 0:
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('dim', ?)`, strconv.Itoa(len(w.vec))); err != nil {
				return fmt.Errorf("record dimension: %w", err)
			}
			newDim = true
		case dim != len(w.vec):
			return fmt.Errorf("%w: the embedder returned %d dimensions, the store holds %d", ErrEmbedding, len(w.vec), dim)
		}
	}
	var u Usage
	err = tx.QueryRowContext(ctx, `SELECT entries, bytes FROM usage WHERE space = ?`, string(sp)).Scan(&u.Entries, &u.Bytes)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read usage: %w", err)
	}
	if err := fn(tx, u); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if newDim {
		s.dimMu.Lock()
		s.dim = len(w.vec)
		s.dimMu.Unlock()
	}
	s.cache.invalidate(sp)
	return nil
}

// lookup finds id within sp only; an id of another space is not found, exactly like one that
// never existed.
func lookup(ctx context.Context, tx *sql.Tx, sp space.Space, id ID) (n, size int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT n, bytes FROM entries WHERE space = ? AND id = ?`, string(sp), string(id)).Scan(&n, &size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, ErrNotFound
	}
	if err != nil {
		return 0, 0, fmt.Errorf("find entry: %w", err)
	}
	return n, size, nil
}

func insertMeta(ctx context.Context, tx *sql.Tx, n int64, meta map[string]string) error {
	for k, v := range meta {
		if _, err := tx.ExecContext(ctx, `INSERT INTO entry_meta (n, key, value) VALUES (?, ?, ?)`, n, k, v); err != nil {
			return fmt.Errorf("insert metadata: %w", err)
		}
	}
	return nil
}

func setUsage(ctx context.Context, tx *sql.Tx, sp space.Space, u Usage) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO usage (space, entries, bytes) VALUES (?, ?, ?)
		ON CONFLICT (space) DO UPDATE SET entries = excluded.entries, bytes = excluded.bytes`, string(sp), u.Entries, u.Bytes)
	if err != nil {
		return fmt.Errorf("write usage: %w", err)
	}
	return nil
}
