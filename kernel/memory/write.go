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
//
// An Add whose context carries a write key (kernel/writekey) is applied once for that key: a
// second one stores nothing, embeds nothing, and returns the ID the first one made.
func (s *Store) Add(ctx context.Context, sp space.Space, e Entry) (ID, error) {
	kw, err := keyOf(ctx, "add", "")
	if err != nil {
		return "", fmt.Errorf("memory add: %w", err)
	}
	ids, err := s.addMany(ctx, sp, []Entry{e}, kw)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// addMany stores es in sp in one transaction, all or none, embedding the texts in one call.
// With kw, es holds one entry, and an add whose key is recorded returns the recorded ID.
func (s *Store) addMany(ctx context.Context, sp space.Space, es []Entry, kw *keyedWrite) ([]ID, error) {
	leave, err := s.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	if id, ok, err := kw.recorded(ctx, s.db, sp); ok || err != nil {
		return []ID{id}, err // before embedding: a recorded add costs no tokens either
	}
	ws, err := s.prepareWrites(ctx, sp, es)
	if err != nil {
		return nil, fmt.Errorf("memory add: %w", err)
	}
	ids := make([]ID, len(es))
	for i := range ids {
		if ids[i], err = newID(); err != nil {
			return nil, err
		}
	}
	if kw != nil {
		kw.id = ids[0]
	}
	id, err := s.write(ctx, sp, kw, ws, func(tx *sql.Tx, u Usage) error {
		var size int64
		for _, w := range ws {
			size += w.size
		}
		if u.Entries+len(es) > s.opts.MaxEntriesPerSpace {
			return fmt.Errorf("%w: the space holds %d entries, at most %d", ErrQuota, u.Entries, s.opts.MaxEntriesPerSpace)
		}
		if u.Bytes+size > s.opts.MaxBytesPerSpace {
			return fmt.Errorf("%w: the space holds %d bytes, adding %d passes %d", ErrQuota, u.Bytes, size, s.opts.MaxBytesPerSpace)
		}
		now := s.opts.Now().UnixNano()
		for i, w := range ws {
			res, err := tx.ExecContext(ctx, `INSERT INTO entries (space, stoken, id, text, meta, bytes, vec, created, updated)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(sp), spaceToken(sp), string(ids[i]), es[i].Text, w.meta, w.size, w.blob, now, now)
			if err != nil {
				return fmt.Errorf("insert entry: %w", err)
			}
			n, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("insert entry: %w", err)
			}
			if err := insertMeta(ctx, tx, sp, n, es[i].Metadata); err != nil {
				return err
			}
		}
		return setUsage(ctx, tx, sp, Usage{Entries: u.Entries + len(es), Bytes: u.Bytes + size})
	})
	if err != nil {
		return nil, fmt.Errorf("memory add: %w", err)
	}
	if kw != nil {
		return []ID{id}, nil // the recorded ID when the add was recorded already
	}
	return ids, nil
}

// Update replaces the text and metadata of the entry id in sp. One whose context carries a
// write key is applied once for that key, as Add is.
func (s *Store) Update(ctx context.Context, sp space.Space, id ID, e Entry) error {
	leave, err := s.enter()
	if err != nil {
		return err
	}
	defer leave()
	if err := checkID(id); err != nil {
		return fmt.Errorf("memory update: %w", err)
	}
	kw, err := keyOf(ctx, "update", id)
	if err != nil {
		return fmt.Errorf("memory update: %w", err)
	}
	if _, ok, err := kw.recorded(ctx, s.db, sp); ok || err != nil {
		return err
	}
	ws, err := s.prepareWrites(ctx, sp, []Entry{e})
	if err != nil {
		return fmt.Errorf("memory update: %w", err)
	}
	w := ws[0]
	_, err = s.write(ctx, sp, kw, ws, func(tx *sql.Tx, u Usage) error {
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
		if err := insertMeta(ctx, tx, sp, n, e.Metadata); err != nil {
			return err
		}
		return setUsage(ctx, tx, sp, Usage{Entries: u.Entries, Bytes: u.Bytes - old + w.size})
	})
	if err != nil {
		return fmt.Errorf("memory update %s: %w", id, err)
	}
	return nil
}

// Delete removes the entry id from sp. One whose context carries a write key is applied once
// for that key: a second one succeeds too, as the first did, instead of finding no entry.
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
	kw, err := keyOf(ctx, "delete", id)
	if err != nil {
		return fmt.Errorf("memory delete: %w", err)
	}
	_, err = s.write(ctx, sp, kw, nil, func(tx *sql.Tx, u Usage) error {
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

// prepareWrites validates es and embeds their texts outside the write lock, since an
// embedding call can take long.
func (s *Store) prepareWrites(ctx context.Context, sp space.Space, es []Entry) ([]prepared, error) {
	if err := checkSpace(sp); err != nil {
		return nil, err
	}
	ws := make([]prepared, len(es))
	var texts []string
	for i, e := range es {
		size, err := s.checkEntry(e)
		if err != nil {
			return nil, err
		}
		meta := e.Metadata
		if meta == nil {
			meta = map[string]string{}
		}
		mj, err := json.Marshal(meta)
		if err != nil {
			return nil, fmt.Errorf("encode metadata: %w", err)
		}
		ws[i] = prepared{size: size, meta: string(mj)}
		if e.Text != "" {
			texts = append(texts, e.Text)
		}
	}
	if s.opts.Embedder == nil || len(texts) == 0 {
		return ws, nil
	}
	vecs, err := s.embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	j := 0
	for i, e := range es {
		if e.Text != "" {
			ws[i].vec, ws[i].blob = vecs[j], encodeVec(vecs[j])
			j++
		}
	}
	return ws, nil
}

// write runs fn in a transaction under the write lock, with sp's usage as it stands, records
// the store's dimension with the first vector, and drops sp's cached vectors after commit.
//
// With kw, the write key is recorded in the same transaction with kw.id; a write whose key is
// recorded already runs nothing and returns the entry ID recorded with it. It returns kw.id
// otherwise.
func (s *Store) write(ctx context.Context, sp space.Space, kw *keyedWrite, ws []prepared, fn func(*sql.Tx, Usage) error) (ID, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if id, ok, err := kw.recorded(ctx, tx, sp); ok || err != nil {
		return id, err
	}
	newDim, vdim := false, 0
	for _, w := range ws {
		vdim = max(vdim, len(w.vec)) // embed made every vector the same length
	}
	if vdim > 0 {
		// Another process may have recorded the dimension since this one read it.
		dim, err := recordedDim(ctx, tx)
		if err != nil {
			return "", err
		}
		switch {
		case dim == 0:
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('dim', ?)`, strconv.Itoa(vdim)); err != nil {
				return "", fmt.Errorf("record dimension: %w", err)
			}
			newDim = true
		case dim != vdim:
			return "", fmt.Errorf("%w: the embedder returned %d dimensions, the store holds %d", ErrEmbedding, vdim, dim)
		}
	}
	var u Usage
	err = tx.QueryRowContext(ctx, `SELECT entries, bytes FROM usage WHERE space = ?`, string(sp)).Scan(&u.Entries, &u.Bytes)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read usage: %w", err)
	}
	if err := fn(tx, u); err != nil {
		return "", err
	}
	if err := kw.record(ctx, tx, sp); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO generations (space, gen) VALUES (?, 1)
		ON CONFLICT (space) DO UPDATE SET gen = gen + 1`, string(sp)); err != nil {
		return "", fmt.Errorf("count the write: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	if newDim {
		s.dimMu.Lock()
		s.dim = vdim
		s.dimMu.Unlock()
	}
	s.cache.invalidate(sp)
	if kw == nil {
		return "", nil
	}
	return kw.id, nil
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

func insertMeta(ctx context.Context, tx *sql.Tx, sp space.Space, n int64, meta map[string]string) error {
	for k, v := range meta {
		if _, err := tx.ExecContext(ctx, `INSERT INTO entry_meta (space, key, value, n) VALUES (?, ?, ?, ?)`, string(sp), k, v, n); err != nil {
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
