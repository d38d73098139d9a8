package memory

import (
	"math/rand/v2"
	"slices"

	"context"
	"errors"
	"github.com/viterin/vek/vek32"
	"hash/fnv"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/aiosys/aios/kernel/space"
)

// hashEmbedder is a deterministic bag-of-words embedder: each lower-cased word adds 1 to the
// dimension its FNV hash picks, so texts sharing words are close. fixed overrides it per text.
type hashEmbedder struct {
	dim   int
	fixed map[string][]float32

	mu    sync.Mutex
	calls int
	fail  error
}

func (h *hashEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	h.mu.Lock()
	h.calls++
	fail := h.fail
	h.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if v, ok := h.fixed[t]; ok {
			out[i] = v
			continue
		}
		v := make([]float32, h.dim)
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			f := fnv.New32a()
			f.Write([]byte(w))
			v[f.Sum32()%uint32(h.dim)]++
		}
		out[i] = v
	}
	return out, nil
}

var (
	spaceA = space.Of(space.Identity{Tenant: "t", Publisher: "aa", Name: "agent"})
	spaceB = space.Of(space.Identity{Tenant: "t", Publisher: "bb", Name: "agent"})
)

func openStore(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "memory.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustAdd(t testing.TB, s *Store, sp space.Space, text string, meta map[string]string) ID {
	t.Helper()
	id, err := s.Add(context.Background(), sp, Entry{Text: text, Metadata: meta})
	if err != nil {
		t.Fatalf("add %q: %v", text, err)
	}
	return id
}

func mustSearch(t testing.TB, s *Store, sp space.Space, q Query) []Hit {
	t.Helper()
	hits, err := s.Search(context.Background(), sp, q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return hits
}

func ids(hits []Hit) []ID {
	out := make([]ID, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 } // vectors are float32

// randomSet returns n random unit vectors of dim dimensions, numbered 0 to n-1.
func randomSet(n, dim int, seed uint64) *vecSet {
	r := rand.New(rand.NewPCG(seed, 2))
	set := &vecSet{dim: dim, ns: make([]int64, n)}
	for i := range n {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		set.ns[i] = int64(i)
		set.vecs = append(set.vecs, unit(v)...)
	}
	return set
}

// nearestSerial is the exact search one pass over set, as the store did before scans were
// split across cores: the oracle of the tests and the baseline of the benchmarks.
func nearestSerial(set *vecSet, q []float32, k int, allow map[int64]bool) []scored {
	var all []scored
	d := set.dim
	for i, n := range set.ns {
		if allow == nil || allow[n] {
			all = append(all, scored{n: n, score: float64(vek32.Dot(q, set.vecs[i*d:(i+1)*d]))})
		}
	}
	slices.SortStableFunc(all, byScore)
	return all[:min(k, len(all))]
}
