package memory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/aiosys/aios/kernel/space"
)

// Page sizes of List.
const (
	DefaultListPage = 100
	MaxListPage     = 1000
)

// List returns the entries of sp in the order they were added, starting after the entry
// after (from the first when after is empty). At most limit entries come back
// (DefaultListPage for zero, at most MaxListPage; a negative limit is ErrInvalid); next is the
// after of the following page, or empty on the last page. An after that is not an entry of
// sp (deleted since, or another space's) is ErrNotFound.
func (s *Store) List(ctx context.Context, sp space.Space, after ID, limit int) (records []Record, next ID, err error) {
	leave, err := s.enter()
	if err != nil {
		return nil, "", err
	}
	defer leave()
	if err := checkSpace(sp); err != nil {
		return nil, "", fmt.Errorf("memory list: %w", err)
	}
	switch {
	case limit < 0:
		return nil, "", fmt.Errorf("memory list: %w: limit %d (0 takes the default of %d)", ErrInvalid, limit, DefaultListPage)
	case limit == 0:
		limit = DefaultListPage
	case limit > MaxListPage:
		limit = MaxListPage
	}
	var from int64 // entries.n of after; 0 is before every row
	if after != "" {
		if err := checkID(after); err != nil {
			return nil, "", fmt.Errorf("memory list: cursor: %w", err)
		}
		err := s.db.QueryRowContext(ctx, `SELECT n FROM entries WHERE space = ? AND id = ?`, string(sp), string(after)).Scan(&from)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, "", fmt.Errorf("memory list: cursor %s: %w", after, ErrNotFound)
		}
		if err != nil {
			return nil, "", fmt.Errorf("memory list: %w", err)
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, text, meta, created, updated FROM entries
		WHERE space = ? AND n > ? ORDER BY n LIMIT ?`, string(sp), from, limit+1) // one more tells whether there is a next page
	if err != nil {
		return nil, "", fmt.Errorf("memory list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r                Record
			id, meta         string
			created, updated int64
		)
		if err := rows.Scan(&id, &r.Text, &meta, &created, &updated); err != nil {
			return nil, "", fmt.Errorf("memory list: %w", err)
		}
		if r.Metadata, err = decodeMeta(meta); err != nil {
			return nil, "", fmt.Errorf("memory list %s: %w", id, err)
		}
		r.ID, r.Created, r.Updated = ID(id), time.Unix(0, created), time.Unix(0, updated)
		records = append(records, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("memory list: %w", err)
	}
	if len(records) > limit {
		records = records[:limit]
		next = records[limit-1].ID
	}
	return records, next, nil
}
