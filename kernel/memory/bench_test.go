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
			if _, err := s.addMany(context.Background(), sp, es); err != nil {
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
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Add(context.Background(), spaceA, Entry{Text: texts[i%len(texts)], Metadata: map[string]string{"i": "x"}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch10k(b *testing.B)  { benchSearch(b, 10_000, 1000) }
func BenchmarkSearch100k(b *testing.B) { benchSearch(b, 100_000, 1000) }

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
		b.Run(rn.name, func(b *testing.B) {
			ctx := context.Background()
			// Warm the vector cache, as a running kernel has it.
			if _, err := s.Search(ctx, spaceA, Query{Text: rn.queries[0], Mode: rn.mode, K: 10}); err != nil {
				b.Fatal(err)
			}
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				q := Query{Text: rn.queries[i%len(rn.queries)], Mode: rn.mode, K: 10, Filter: rn.filter}
				t0 := time.Now()
				if _, err := s.Search(ctx, spaceA, q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			reportPercentiles(b, lat)
		})
	}
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
