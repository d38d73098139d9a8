package memory

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aiosys/aios/kernel/space"
	"golang.org/x/sync/errgroup"
)

// Mode selects how Search ranks entries.
type Mode int

const (
	// Keyword ranks by BM25 over the words of the query (any word matches; more and rarer
	// matches rank higher). Query syntax is not interpreted: operators and quotes are words
	// or separators.
	Keyword Mode = iota
	// Vector ranks by cosine similarity of embeddings; ErrNoEmbedder without an Embedder.
	Vector
	// Hybrid fuses the keyword and vector rankings by reciprocal rank fusion; ErrNoEmbedder
	// without an Embedder.
	Hybrid
)

func (m Mode) String() string {
	switch m {
	case Keyword:
		return "keyword"
	case Vector:
		return "vector"
	case Hybrid:
		return "hybrid"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// rrfK is the rank constant of reciprocal rank fusion (Cormack et al. use 60).
const rrfK = 60

// Query is a search request.
type Query struct {
	Text   string
	Mode   Mode
	K      int               // at least 1; above Options.MaxK it is clamped to MaxK
	Filter map[string]string // every pair must equal the entry's metadata
}

// Hit is one search result. Score is -BM25 (Keyword), cosine similarity (Vector) or the RRF
// sum (Hybrid): higher is better in every mode.
type Hit struct {
	ID       ID
	Text     string
	Metadata map[string]string
	Score    float64
}

// Search returns up to K entries of sp matching q, best first.
func (s *Store) Search(ctx context.Context, sp space.Space, q Query) ([]Hit, error) {
	leave, err := s.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	k, err := s.checkQuery(sp, q)
	if err != nil {
		return nil, fmt.Errorf("memory search: %w", err)
	}
	var list []scored
	switch q.Mode {
	case Keyword:
		words := queryWords(q.Text)
		if len(words) == 0 {
			return nil, fmt.Errorf("memory search: %w: the query holds no words", ErrInvalid)
		}
		list, err = s.keyword(ctx, sp, words, q.Filter, k)
	case Vector:
		list, err = s.vector(ctx, sp, q.Text, q.Filter, k, runtime.GOMAXPROCS(0))
	case Hybrid:
		list, err = s.hybrid(ctx, sp, q, k)
	}
	if err != nil {
		return nil, fmt.Errorf("memory search (%s): %w", q.Mode, err)
	}
	hits, err := s.fetch(ctx, sp, list)
	if err != nil {
		return nil, fmt.Errorf("memory search (%s): %w", q.Mode, err)
	}
	return hits, nil
}

func (s *Store) checkQuery(sp space.Space, q Query) (int, error) {
	if err := checkSpace(sp); err != nil {
		return 0, err
	}
	switch {
	case q.Mode != Keyword && q.Mode != Vector && q.Mode != Hybrid:
		return 0, fmt.Errorf("%w: unknown mode %d", ErrInvalid, int(q.Mode))
	case q.K < 1:
		return 0, fmt.Errorf("%w: k is %d, at least 1", ErrInvalid, q.K)
	case strings.TrimSpace(q.Text) == "":
		return 0, fmt.Errorf("%w: empty query", ErrInvalid)
	case len(q.Text) > MaxQueryBytes:
		return 0, fmt.Errorf("%w: query of %d bytes, at most %d", ErrInvalid, len(q.Text), MaxQueryBytes)
	case !utf8.ValidString(q.Text):
		return 0, fmt.Errorf("%w: query is not valid UTF-8", ErrInvalid)
	case len(q.Filter) > MaxMetaKeys:
		return 0, fmt.Errorf("%w: %d filter keys, at most %d", ErrInvalid, len(q.Filter), MaxMetaKeys)
	}
	for key, v := range q.Filter {
		if err := checkMeta(key, v); err != nil {
			return 0, err
		}
	}
	if (q.Mode == Vector || q.Mode == Hybrid) && s.opts.Embedder == nil {
		return 0, ErrNoEmbedder
	}
	return min(q.K, s.opts.MaxK), nil
}

// filterSQL returns a condition on entries e requiring every pair of f within sp, with its
// arguments. Each pair is a range of entry_meta's primary key.
func filterSQL(sp space.Space, f map[string]string) (string, []any) {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		b.WriteString(" AND e.n IN (SELECT n FROM entry_meta WHERE space = ? AND key = ? AND value = ?)")
		args = append(args, string(sp), k, f[k])
	}
	return b.String(), args
}

// keyword ranks sp's entries by BM25 against words (from queryWords).
func (s *Store) keyword(ctx context.Context, sp space.Space, words []string, f map[string]string, k int) ([]scored, error) {
	var own, total int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(sum(entries) FILTER (WHERE space = ?), 0), coalesce(sum(entries), 0) FROM usage`,
		string(sp)).Scan(&own, &total)
	if err != nil {
		return nil, fmt.Errorf("count entries: %w", err)
	}
	if words, err = s.weighty(ctx, words, total); err != nil {
		return nil, err
	}
	text := "text : (" + matchExpr(words) + ")"
	if own*2 >= total {
		// Only other spaces' entries, and those f refuses, can take places: look at about
		// k·total/admitted of the best, with a margin. Each row returned costs FTS5 a second
		// bm25(), so no more; a filter admitting too few goes straight to sp's search.
		admitted := own
		if len(f) > 0 {
			if admitted, err = s.admittedAtMost(ctx, sp, f); err != nil {
				return nil, err
			}
		}
		depth := int(float64(k)*1.25*float64(total)/float64(max(admitted, 1))) + 8
		if len(f) == 0 {
			depth = min(depth, k+int(total-own))
		}
		if depth <= wholeMaxDepth {
			list, complete, err := s.keywordWhole(ctx, sp, text, f, k, depth)
			if err != nil || complete {
				return list, err
			}
		}
	}
	return s.keywordSpace(ctx, sp, text, f, k)
}

// keywordSpace ranks sp's entries that f admits against the match expression text; sp's token
// narrows the match to its rows before scoring.
func (s *Store) keywordSpace(ctx context.Context, sp space.Space, text string, f map[string]string, k int) ([]scored, error) {
	fq := text + ` AND stoken : "` + spaceToken(sp) + `"`
	cond, fargs := filterSQL(sp, f)
	args := append([]any{fq, string(sp)}, fargs...)
	args = append(args, k)
	rows, err := s.db.QueryContext(ctx, `SELECT e.n, bm25(entries_fts, 1.0, 0.0) AS r FROM entries_fts JOIN entries e ON e.n = entries_fts.rowid
		WHERE entries_fts MATCH ? AND e.space = ?`+cond+` ORDER BY r, e.n LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("keyword query: %w", err)
	}
	return scanRanked(rows)
}

// wholeMaxDepth is the most of the whole store's best entries keywordWhole looks at.
const wholeMaxDepth = 1000

// admittedAtMost returns how many of sp's entries hold the first pair of f (in key order): at
// least as many as f admits.
func (s *Store) admittedAtMost(ctx context.Context, sp space.Space, f map[string]string) (int64, error) {
	key := slices.Min(slices.Collect(maps.Keys(f)))
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM entry_meta WHERE space = ? AND key = ? AND value = ?`,
		string(sp), key, f[key]).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count filtered entries: %w", err)
	}
	return n, nil
}

// keywordWhole ranks the whole store's entries against the match expression text and keeps
// those of sp that f admits among the best depth: the answer when sp holds most of the store,
// which spares FTS5 matching and counting sp's token in every entry (bm25() counts each
// phrase's entries). complete is false when fewer than k were among them though more entries
// matched: other spaces' entries, or ones f refuses, outranked them, and the caller must
// search sp alone.
func (s *Store) keywordWhole(ctx context.Context, sp space.Space, text string, f map[string]string, k, depth int) (list []scored, complete bool, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rowid, rank FROM entries_fts WHERE entries_fts MATCH ? AND rank MATCH 'bm25(1.0, 0.0)'
		ORDER BY rank LIMIT ?`, text, depth)
	if err != nil {
		return nil, false, fmt.Errorf("keyword query: %w", err)
	}
	all, err := scanRanked(rows)
	if err != nil {
		return nil, false, err
	}
	if len(all) == 0 {
		return nil, true, nil
	}
	cond, fargs := filterSQL(sp, f)
	args := make([]any, 0, len(all)+1+len(fargs))
	args = append(args, string(sp))
	for _, sc := range all {
		args = append(args, sc.n)
	}
	args = append(args, fargs...)
	rows, err = s.db.QueryContext(ctx, `SELECT e.n FROM entries e WHERE e.space = ? AND e.n IN (`+
		strings.Repeat(",?", len(all))[1:]+`)`+cond, args...)
	if err != nil {
		return nil, false, fmt.Errorf("keyword query: %w", err)
	}
	defer rows.Close()
	mine := make(map[int64]bool, len(all))
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, false, fmt.Errorf("keyword query: %w", err)
		}
		mine[n] = true
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("keyword query: %w", err)
	}
	list = slices.DeleteFunc(all, func(sc scored) bool { return !mine[sc.n] })
	slices.SortStableFunc(list, byScore)
	return list[:min(k, len(list))], len(list) >= k || len(all) < depth, nil
}

// scanRanked reads rows of a row number and a bm25() rank, lower-is-better, into scores.
func scanRanked(rows *sql.Rows) ([]scored, error) {
	defer rows.Close()
	var out []scored
	for rows.Next() {
		var sc scored
		if err := rows.Scan(&sc.n, &sc.score); err != nil {
			return nil, fmt.Errorf("keyword query: %w", err)
		}
		sc.score = -sc.score
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("keyword query: %w", err)
	}
	return out, nil
}

// vector ranks sp's entries by cosine similarity to the embedding of text, scanning on up to
// cores cores.
func (s *Store) vector(ctx context.Context, sp space.Space, text string, f map[string]string, k, cores int) ([]scored, error) {
	qs, err := s.embed(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	q := qs[0]
	dim, err := s.dimension(ctx)
	if err != nil {
		return nil, err
	}
	if dim == 0 {
		return nil, nil // nothing embedded yet
	}
	if len(q) != dim {
		return nil, fmt.Errorf("%w: the embedder returned %d dimensions, the store holds %d", ErrEmbedding, len(q), dim)
	}
	set, err := s.vectors(ctx, sp, dim)
	if err != nil {
		return nil, err
	}
	var allow map[int64]bool
	if len(f) > 0 {
		if allow, err = s.filtered(ctx, sp, f); err != nil {
			return nil, err
		}
	}
	return nearest(set, unit(q), k, allow, cores), nil
}

// filtered returns the rows of sp whose metadata holds every pair of f (not empty): the rows
// of the first pair, narrowed by the others.
func (s *Store) filtered(ctx context.Context, sp space.Space, f map[string]string) (map[int64]bool, error) {
	cond, fargs := filterSQL(sp, f)
	// The first pair's condition is rewritten to drive the query from entry_meta.
	first := " AND e.n IN (SELECT n FROM entry_meta WHERE space = ? AND key = ? AND value = ?)"
	rows, err := s.db.QueryContext(ctx, `SELECT e.n FROM entry_meta e WHERE e.space = ? AND e.key = ? AND e.value = ?`+
		strings.TrimPrefix(cond, first), fargs...)
	if err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	defer rows.Close()
	allow := map[int64]bool{}
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
		allow[n] = true
	}
	return allow, rows.Err()
}

// hybrid fuses a keyword and a vector ranking, each deeper than k, by reciprocal rank fusion:
// an entry scores the sum over the lists of 1/(rrfK + its rank). A query without words ranks
// by vector alone. The two run at once, the vector scan on one core fewer than it would use
// alone: the scan is bound by memory bandwidth more than by cores, so the keyword search's
// core costs it little (measured: docs/BENCHMARKS.md, section Memory).
func (s *Store) hybrid(ctx context.Context, sp space.Space, q Query, k int) ([]scored, error) {
	depth := min(max(2*k, 50), 1000)
	g, gctx := errgroup.WithContext(ctx)
	var kw []scored
	if words := queryWords(q.Text); len(words) > 0 {
		g.Go(func() (err error) {
			kw, err = s.keyword(gctx, sp, words, q.Filter, depth)
			return err
		})
	}
	vec, err := s.vector(gctx, sp, q.Text, q.Filter, depth, max(1, runtime.GOMAXPROCS(0)-1))
	if gerr := g.Wait(); gerr != nil {
		return nil, gerr
	}
	if err != nil {
		return nil, err
	}
	return fuse(k, kw, vec), nil
}

// fuse combines rankings by reciprocal rank fusion and returns the best k, ties by row order.
func fuse(k int, lists ...[]scored) []scored {
	sum := map[int64]float64{}
	for _, l := range lists {
		for rank, sc := range l {
			sum[sc.n] += 1 / float64(rrfK+rank+1)
		}
	}
	out := make([]scored, 0, len(sum))
	for n, v := range sum {
		out = append(out, scored{n: n, score: v})
	}
	slices.SortFunc(out, byScore)
	return out[:min(k, len(out))]
}

// fetch loads the rows of list, within sp only, in list's order.
func (s *Store) fetch(ctx context.Context, sp space.Space, list []scored) ([]Hit, error) {
	if len(list) == 0 {
		return []Hit{}, nil
	}
	args := make([]any, 0, len(list)+1)
	args = append(args, string(sp))
	for _, sc := range list {
		args = append(args, sc.n)
	}
	marks := strings.Repeat(",?", len(list))[1:]
	rows, err := s.db.QueryContext(ctx, `SELECT n, id, text, meta FROM entries WHERE space = ? AND n IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("fetch hits: %w", err)
	}
	defer rows.Close()
	byN := make(map[int64]Hit, len(list))
	for rows.Next() {
		var (
			n        int64
			h        Hit
			id, meta string
		)
		if err := rows.Scan(&n, &id, &h.Text, &meta); err != nil {
			return nil, fmt.Errorf("fetch hits: %w", err)
		}
		h.ID = ID(id)
		if h.Metadata, err = decodeMeta(meta); err != nil {
			return nil, err
		}
		byN[n] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fetch hits: %w", err)
	}
	hits := make([]Hit, 0, len(list))
	for _, sc := range list {
		// A row deleted between ranking and fetching is left out.
		if h, ok := byN[sc.n]; ok {
			h.Score = sc.score
			hits = append(hits, h)
		}
	}
	return hits, nil
}
