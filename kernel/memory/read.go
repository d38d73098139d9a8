package memory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aiosys/aios/kernel/space"
)

// Get returns the entry id of sp; an id of another space is ErrNotFound.
func (s *Store) Get(ctx context.Context, sp space.Space, id ID) (Record, error) {
	leave, err := s.enter()
	if err != nil {
		return Record{}, err
	}
	defer leave()
	if err := checkSpace(sp); err != nil {
		return Record{}, fmt.Errorf("memory get: %w", err)
	}
	if err := checkID(id); err != nil {
		return Record{}, fmt.Errorf("memory get: %w", err)
	}
	var (
		r                Record
		meta             string
		created, updated int64
	)
	err = s.db.QueryRowContext(ctx, `SELECT text, meta, created, updated FROM entries WHERE space = ? AND id = ?`,
		string(sp), string(id)).Scan(&r.Text, &meta, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, fmt.Errorf("memory get %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Record{}, fmt.Errorf("memory get %s: %w", id, err)
	}
	if r.Metadata, err = decodeMeta(meta); err != nil {
		return Record{}, fmt.Errorf("memory get %s: %w", id, err)
	}
	r.ID, r.Created, r.Updated = id, time.Unix(0, created), time.Unix(0, updated)
	return r, nil
}

// Usage returns what sp holds against its quotas.
func (s *Store) Usage(ctx context.Context, sp space.Space) (Usage, error) {
	leave, err := s.enter()
	if err != nil {
		return Usage{}, err
	}
	defer leave()
	if err := checkSpace(sp); err != nil {
		return Usage{}, fmt.Errorf("memory usage: %w", err)
	}
	var u Usage
	err = s.db.QueryRowContext(ctx, `SELECT entries, bytes FROM usage WHERE space = ?`, string(sp)).Scan(&u.Entries, &u.Bytes)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Usage{}, fmt.Errorf("memory usage: %w", err)
	}
	return u, nil
}

func decodeMeta(s string) (map[string]string, error) {
	m := map[string]string{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	return m, nil
}
