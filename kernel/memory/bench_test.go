package memory

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/space"
)

// seededEmbedder gives each text a deterministic pseudo-random vector seeded by its hash:
// the cost of search, not the quality of its answers, is what the benchmarks measure.
type seededEmbedder struct{ dim int }

func (e seededEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		h := fnv.New64a()
		h.Write([]byte(t))
		r := rand.New(rand.NewPCG(h.Sum64(), uint64(e.dim)))
		v := make([]float32, e.dim)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		out[i] = v
	}
	return out, nil
}

// benchText draws words from a Zipf-distributed vocabulary, as natural text roughly is.
type benchText struct{ z *rand.Zipf }

func newBenchText(seed uint64) benchText {
	r := rand.New(rand.NewPCG(seed, 1))
	return benchText{z: rand.NewZipf(r, 1.1, 1, 19_999)}
}

func (b benchText) words(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprint("w", b.z.Uint64())
	}
	return strings.Join(w, " ")
}

const benchDim = 384

// benchStore returns a store holding n entries of 24 words in spaceA and others in spaceB.
func benchStore(b *testing.B, n, others int) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{Embedder: seededEmbedder{dim: benchDim}, MaxCacheBytes: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	gen := newBenchText(1)
	fill := func(sp space.Space, count int) {
		for done := 0; done < count; done += 1000 {
			es := make([]Entry, min(1000, count-done))
			for i := range es {
				es[i] = Entry{Text: gen.words(24), Metadata: map[string]string{"shard": fmt.Sprint(i % 10)}}
			}
			if _, err := s.addMany(context.Background(), sp, es, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	fill(spaceA, n)
	fill(spaceB, others)
	return s
}

// BenchmarkAdd measures one durable Add (one transaction and WAL fsync), with a 384-dimension
// embedding.
func BenchmarkAdd(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{Embedder: seededEmbedder{dim: benchDim}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	gen := newBenchText(2)
	texts := make([]string, 1000)
	for i := range texts {
		texts[i] = gen.words(24)
	}
	t0 := time.Now()
	i := 0
	for ; b.Loop(); i++ {
		if _, err := s.Add(context.Background(), spaceA, Entry{Text: texts[i%len(texts)], Metadata: map[string]string{"i": "x"}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i)/time.Since(t0).Seconds(), "adds/s")
}

// BenchmarkAddKeyed measures BenchmarkAdd's Add as a durable run makes it, with a write key
// (one more row in the same transaction), and "again" an Add whose key is recorded already (a
// resumed run's add that the crashed attempt applied): a lookup, nothing embedded or written.
func BenchmarkAddKeyed(b *testing.B) {
	gen := newBenchText(2)
	texts := make([]string, 1000)
	for i := range texts {
		texts[i] = gen.words(24)
	}
	open := func(b *testing.B) *Store {
		s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{Embedder: seededEmbedder{dim: benchDim}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		return s
	}
	b.Run("first", func(b *testing.B) {
		s := open(b)
		i := 0
		for b.Loop() {
			if _, err := s.Add(keyed("bench-run", 1, i), spaceA, Entry{Text: texts[i%len(texts)], Metadata: map[string]string{"i": "x"}}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("again", func(b *testing.B) {
		s := open(b)
		ctx := keyed("bench-run", 1, 0)
		if _, err := s.Add(ctx, spaceA, Entry{Text: texts[0]}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := s.Add(ctx, spaceA, Entry{Text: texts[0]}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSearch measures Search in a space of 10 000 and of 100 000 entries (beside 1000
// in another space), each mode and query kind twice: through the store ("store") and through
// the store's search as it was before the benchmarks of issue #10 ("baseline": one serial
// vector scan; keyword search of every word in under half of the entries, matched by the
// space's token). It reports p50 and p99 latency.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run("n="+sizeName(n), func(b *testing.B) { benchSearch(b, n, 1000) })
	}
}

// BenchmarkSearchSmallSpace searches 1000 entries in a store of 100 000 more in another space.
func BenchmarkSearchSmallSpace(b *testing.B) { benchSearch(b, 1000, 100_000) }

func benchSearch(b *testing.B, n, others int) {
	s := benchStore(b, n, others)
	gen := newBenchText(3)
	common := make([]string, 256) // words drawn as the texts' are: most queries hold a very common word
	rare := make([]string, 256)   // words of frequency rank 100 to 20 000: content words
	r := rand.New(rand.NewPCG(4, 4))
	for i := range common {
		common[i] = gen.words(3)
		rare[i] = fmt.Sprintf("w%d w%d w%d", 100+r.IntN(19_900), 100+r.IntN(19_900), 100+r.IntN(19_900))
	}
	type run struct {
		name    string
		mode    Mode
		queries []string
		filter  map[string]string
	}
	var runs []run
	for _, mode := range []Mode{Keyword, Vector, Hybrid} {
		runs = append(runs, run{mode.String(), mode, common, nil},
			run{mode.String() + "-filtered", mode, common, map[string]string{"shard": "3"}})
	}
	runs = append(runs, run{"keyword-rare", Keyword, rare, nil}, run{"hybrid-rare", Hybrid, rare, nil})
	for _, rn := range runs {
		for _, path := range []struct {
			name   string
			search func(context.Context, space.Space, Query) ([]Hit, error)
		}{{"store", s.Search}, {"baseline", s.searchBaseline}} {
			b.Run(rn.name+"/"+path.name, func(b *testing.B) {
				ctx := context.Background()
				// Warm the vector cache, as a running kernel has it.
				if _, err := path.search(ctx, spaceA, Query{Text: rn.queries[0], Mode: rn.mode, K: 10}); err != nil {
					b.Fatal(err)
				}
				var lat []time.Duration
				for i := 0; b.Loop(); i++ {
					q := Query{Text: rn.queries[i%len(rn.queries)], Mode: rn.mode, K: 10, Filter: rn.filter}
					t0 := time.Now()
					if _, err := path.search(ctx, spaceA, q); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
				}
				reportPercentiles(b, lat)
			})
		}
	}
}

// searchBaseline is Search as the store did it before issue #10's benchmarks.
func (s *Store) searchBaseline(ctx context.Context, sp space.Space, q Query) ([]Hit, error) {
	k, err := s.checkQuery(sp, q)
	if err != nil {
		return nil, err
	}
	depth := k
	if q.Mode == Hybrid {
		depth = min(max(2*k, 50), 1000)
	}
	var kw, vec []scored
	if q.Mode != Vector {
		if kw, err = s.keywordBaseline(ctx, sp, queryWords(q.Text), q.Filter, depth); err != nil {
			return nil, err
		}
	}
	if q.Mode != Keyword {
		qs, err := s.embed(ctx, []string{q.Text})
		if err != nil {
			return nil, err
		}
		set, err := s.vectors(ctx, sp, len(qs[0]))
		if err != nil {
			return nil, err
		}
		var allow map[int64]bool
		if len(q.Filter) > 0 {
			if allow, err = s.filtered(ctx, sp, q.Filter); err != nil {
				return nil, err
			}
		}
		vec = nearestBaseline(set, unit(qs[0]), depth, allow)
	}
	list := kw
	switch q.Mode {
	case Vector:
		list = vec
	case Hybrid:
		list = fuse(k, kw, vec)
	}
	return s.fetch(ctx, sp, list)
}

// keywordBaseline searches every word found in under half of all entries (all of them if
// none is), matched together with the space's token.
func (s *Store) keywordBaseline(ctx context.Context, sp space.Space, words []string, f map[string]string, k int) ([]scored, error) {
	var total int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(sum(entries), 0) FROM usage`).Scan(&total); err != nil {
		return nil, err
	}
	var keep []string
	for _, w := range words {
		doc, err := s.docFreq(ctx, strings.ToLower(w), total)
		if err != nil {
			return nil, err
		}
		if doc*2 < total || len(words) < 2 {
			keep = append(keep, w)
		}
	}
	if len(keep) == 0 {
		keep = words
	}
	fq := "text : (" + matchExpr(keep) + `) AND stoken : "` + spaceToken(sp) + `"`
	cond, fargs := filterSQL(sp, f)
	args := append([]any{fq, string(sp)}, fargs...)
	args = append(args, k)
	rows, err := s.db.QueryContext(ctx, `SELECT e.n, bm25(entries_fts, 1.0, 0.0) AS r FROM entries_fts JOIN entries e ON e.n = entries_fts.rowid
		WHERE entries_fts MATCH ? AND e.space = ?`+cond+` ORDER BY r, e.n LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	return scanRanked(rows)
}

// nearestBaseline is exact vector search as the store did it before: one serial pass, a
// plain Go dot product, the best k kept in a sorted slice.
func nearestBaseline(set *vecSet, q []float32, k int, allow map[int64]bool) []scored {
	top := make([]scored, 0, k+1)
	d := set.dim
	for i, n := range set.ns {
		if allow != nil && !allow[n] {
			continue
		}
		sc := float64(dotScalar(q, set.vecs[i*d:(i+1)*d]))
		if len(top) == k && sc <= top[k-1].score {
			continue
		}
		pos := len(top)
		for pos > 0 && top[pos-1].score < sc {
			pos--
		}
		top = append(top, scored{})
		copy(top[pos+1:], top[pos:])
		top[pos] = scored{n: n, score: sc}
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}

// dotScalar is a dot product in plain Go with four accumulators.
func dotScalar(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
