package memory

import (
	"fmt"
	mathrand "math/rand"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/coder/hnsw"
)

// clusteredSet returns n unit vectors of dim dimensions around 100 random centres (each a
// centre plus noise of the same norm), as embeddings of texts on a few topics roughly are.
func clusteredSet(n, dim int, seed uint64) *vecSet {
	r := rand.New(rand.NewPCG(seed, 3))
	centres := randomSet(100, dim, seed+1)
	set := &vecSet{dim: dim, ns: make([]int64, n)}
	v := make([]float32, dim)
	for i := range n {
		c := centres.vecs[r.IntN(100)*dim:][:dim]
		for j := range v {
			v[j] = c[j] + float32(r.NormFloat64()/19.6) // noise of norm about 1 at 384 dimensions
		}
		set.ns[i] = int64(i)
		set.vecs = append(set.vecs, unit(v)...)
	}
	return set
}

// BenchmarkVectorIndex compares exact search (one serial pass: the baseline; the same split
// across cores: the store's) with an HNSW graph (github.com/coder/hnsw, M 16, EfSearch 20 and
// 100) on random and on clustered unit vectors of 384 dimensions. Queries are drawn like the
// data. It reports latency percentiles, recall@10 against the exact answer, and the graph's
// build time.
func BenchmarkVectorIndex(b *testing.B) {
	for _, data := range []struct {
		name string
		make func(n, dim int, seed uint64) *vecSet
	}{{"random", randomSet}, {"clustered", clusteredSet}} {
		for _, n := range []int{10_000, 100_000} {
			set := data.make(n, benchDim, 11)
			queries := data.make(256, benchDim, 12)
			exact := make([][]scored, 256)
			for i := range exact {
				exact[i] = nearestSerial(set, queries.vecs[i*benchDim:(i+1)*benchDim], 10, nil)
			}
			query := func(i int) []float32 { return queries.vecs[i%256*benchDim:][:benchDim] }
			prefix := data.name + "/n=" + sizeName(n)
			b.Run(prefix+"/exact-serial", func(b *testing.B) {
				benchIndex(b, query, exact, func(q []float32) []int64 { return rowsOf(nearestBaseline(set, q, 10, nil)) })
			})
			b.Run(prefix+"/exact-parallel", func(b *testing.B) {
				benchIndex(b, query, exact, func(q []float32) []int64 { return rowsOf(nearest(set, q, 10, nil, runtime.GOMAXPROCS(0))) })
			})
			var (
				g     *hnsw.Graph[int64]
				build time.Duration
			)
			for _, ef := range []int{20, 100} {
				b.Run(prefix+"/hnsw-ef"+sizeName(ef), func(b *testing.B) {
					if g == nil {
						t0 := time.Now()
						g = hnsw.NewGraph[int64]()
						g.Rng = mathrand.New(mathrand.NewSource(13))
						for i, row := range set.ns {
							g.Add(hnsw.MakeNode(row, set.vecs[i*benchDim:(i+1)*benchDim]))
						}
						build = time.Since(t0)
					}
					g.EfSearch = ef
					benchIndex(b, query, exact, func(q []float32) []int64 {
						var rows []int64
						for _, node := range g.Search(q, 10) {
							rows = append(rows, node.Key)
						}
						return rows
					})
					b.ReportMetric(build.Seconds(), "build-s")
				})
			}
		}
	}
}

// benchIndex times search over the queries and reports p50, p99 and recall@10 against exact.
func benchIndex(b *testing.B, query func(int) []float32, exact [][]scored, search func([]float32) []int64) {
	var lat []time.Duration
	found, want := 0, 0
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		rows := search(query(i))
		lat = append(lat, time.Since(t0))
		if i < len(exact) {
			truth := map[int64]bool{}
			for _, sc := range exact[i] {
				truth[sc.n] = true
			}
			for _, n := range rows {
				if truth[n] {
					found++
				}
			}
			want += len(exact[i])
		}
	}
	reportPercentiles(b, lat)
	if want > 0 {
		b.ReportMetric(float64(found)/float64(want), "recall@10")
	}
}

func rowsOf(list []scored) []int64 {
	rows := make([]int64, len(list))
	for i, sc := range list {
		rows[i] = sc.n
	}
	return rows
}

func sizeName(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprint(n/1000, "k")
	}
	return fmt.Sprint(n)
}
