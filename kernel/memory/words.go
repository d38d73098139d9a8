package memory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Words found in many entries are not searched when the query holds a rarer one: a word in
// more than half of all entries, or one in more than a twentieth of them and more than
// commonFloor. (A word in exactly half, as one of two entries, is not common.) FTS5's BM25 weighs such a word by an IDF of at most ln 19 ≈ 2.9 (zero from half
// on), against about 7 to 11 for a content word, so it moves a ranking little; yet matching it
// makes the search score a twentieth of the index or more, the whole cost of a query.
// Elasticsearch's common terms query draws the same line (at a hundredth by default). Like
// stop words, they are left out; a query of common words only searches its rarest word.
const commonFloor = 1000

// weighty returns the words of words (from queryWords) that are not common in a store of
// total entries, or the rarest one.
func (s *Store) weighty(ctx context.Context, words []string, total int64) ([]string, error) {
	if len(words) < 2 {
		return words, nil
	}
	var keep []string
	rarest, rarestDoc := "", int64(-1)
	for _, w := range words {
		doc, err := s.docFreq(ctx, strings.ToLower(w), total)
		if err != nil {
			return nil, err
		}
		if doc*2 <= total && (doc <= commonFloor || doc*20 <= total) {
			keep = append(keep, w)
		}
		// The rarest word that some entry holds: one that none holds matches nothing.
		if doc > 0 && (rarestDoc < 0 || doc < rarestDoc) {
			rarest, rarestDoc = w, doc
		}
	}
	if rarest == "" {
		rarest = words[0]
	}
	if len(keep) == 0 {
		return []string{rarest}, nil
	}
	return keep, nil
}

// docFreq returns how many entries hold term, from the cache while the store's entry count
// is within a tenth of what it was when the count was read. Reading it walks the term's whole
// doclist (fts5vocab keeps no count), and the half-of-all decision needs no exact figure.
func (s *Store) docFreq(ctx context.Context, term string, total int64) (int64, error) {
	if doc, ok := s.df.get(term, total); ok {
		return doc, nil
	}
	var doc int64
	err := s.db.QueryRowContext(ctx, `SELECT doc FROM entries_vocab WHERE term = ?`, term).Scan(&doc)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("word frequency: %w", err)
	}
	s.df.put(term, doc, total)
	return doc, nil
}

// dfCacheSize bounds the words a dfCache remembers; it starts afresh when full.
const dfCacheSize = 4096

type dfCache struct {
	mu sync.Mutex
	m  map[string][2]int64 // term: doc count, total entries when read
}

func (c *dfCache) get(term string, total int64) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[term]
	if !ok || 10*abs(total-e[1]) > e[1] {
		return 0, false
	}
	return e[0], true
}

func (c *dfCache) put(term string, doc, total int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= dfCacheSize {
		c.m = make(map[string][2]int64)
	}
	c.m[term] = [2]int64{doc, total}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
