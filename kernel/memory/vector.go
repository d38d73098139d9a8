package memory

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/viterin/vek/vek32"

	"github.com/aiosys/aios/kernel/space"
)

// embed returns one embedding per text, refusing a malformed answer: a wrong count, empty or
// unequal lengths, or a value that is not finite.
func (s *Store) embed(ctx context.Context, texts []string) ([][]float32, error) {
	vs, err := s.opts.Embedder.Embed(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEmbedding, err)
	}
	if len(vs) != len(texts) {
		return nil, fmt.Errorf("%w: the embedder returned %d vectors for %d texts", ErrEmbedding, len(vs), len(texts))
	}
	for _, v := range vs {
		if len(v) == 0 || len(v) > maxDim || len(v) != len(vs[0]) {
			return nil, fmt.Errorf("%w: the embedder returned vectors of %d and %d dimensions (at most %d)", ErrEmbedding, len(vs[0]), len(v), maxDim)
		}
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("%w: the embedder returned a non-finite value", ErrEmbedding)
			}
		}
	}
	return vs, nil
}

// encodeVec stores v as little-endian float32s; its length is the dimension.
func encodeVec(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// appendUnit decodes a vector blob of dim dimensions onto dst, scaled to unit length so that a
// dot product is the cosine. A zero vector stays zero (cosine 0 with everything).
func appendUnit(dst []float32, b []byte, dim int) ([]float32, bool) {
	if len(b) != 4*dim {
		return dst, false
	}
	start := len(dst)
	var sum float64
	for i := range dim {
		x := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		sum += float64(x) * float64(x)
		dst = append(dst, x)
	}
	if sum > 0 {
		inv := float32(1 / math.Sqrt(sum))
		for i := start; i < len(dst); i++ {
			dst[i] *= inv
		}
	}
	return dst, true
}

func unit(v []float32) []float32 {
	out, _ := appendUnit(nil, encodeVec(v), len(v))
	return out
}

// vecSet is a space's vectors: row numbers and their unit vectors, dim floats each.
type vecSet struct {
	ns   []int64
	vecs []float32
	dim  int
	gen  int64 // the space's generation (in the database) when the set was loaded
}

func (v *vecSet) bytes() int64 { return int64(len(v.vecs))*4 + int64(len(v.ns))*8 }

// vecCache keeps spaces' vecSets in memory up to a byte budget. A generation per space guards
// against storing a set that a write made stale while it loaded.
type vecCache struct {
	mu     sync.Mutex
	budget int64
	used   int64
	sets   map[space.Space]*vecSet
	gen    map[space.Space]uint64
}

func newVecCache(budget int64) *vecCache {
	return &vecCache{budget: budget, sets: map[space.Space]*vecSet{}, gen: map[space.Space]uint64{}}
}

// get returns sp's cached set, or nil and the generation a load must present to put.
func (c *vecCache) get(sp space.Space) (*vecSet, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sets[sp], c.gen[sp]
}

// put caches set for sp unless a write happened since generation gen, evicting other spaces
// to stay within the budget; a set larger than the whole budget is not cached.
func (c *vecCache) put(sp space.Space, gen uint64, set *vecSet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen[sp] != gen || c.sets[sp] != nil || set.bytes() > c.budget {
		return
	}
	for other, s := range c.sets {
		if c.used+set.bytes() <= c.budget {
			break
		}
		c.used -= s.bytes()
		delete(c.sets, other)
	}
	c.sets[sp] = set
	c.used += set.bytes()
}

func (c *vecCache) invalidate(sp space.Space) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen[sp]++
	if s := c.sets[sp]; s != nil {
		c.used -= s.bytes()
		delete(c.sets, sp)
	}
}

// vectors returns sp's vectors of dimension dim, from the cache or loaded from the database.
// Rows whose vector has another dimension (none, while the store keeps one dimension) are left out.
// A cached set is used only while the space's generation in the database is the one it was
// loaded at: other processes (another `aios run`, a server) write the same store.
func (s *Store) vectors(ctx context.Context, sp space.Space, dim int) (*vecSet, error) {
	dbgen, err := generation(ctx, s.db, sp)
	if err != nil {
		return nil, err
	}
	set, gen := s.cache.get(sp)
	if set != nil && set.dim == dim && set.gen == dbgen {
		return set, nil
	}
	if set != nil {
		s.cache.invalidate(sp) // written by another process
		_, gen = s.cache.get(sp)
	}
	set, err = s.loadVectors(ctx, sp, dim)
	if err != nil {
		return nil, err
	}
	set.gen = dbgen // read before loading: a write since then makes the set look stale, never fresh
	s.cache.put(sp, gen, set)
	return set, nil
}

func (s *Store) loadVectors(ctx context.Context, sp space.Space, dim int) (*vecSet, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT n, vec FROM entries WHERE space = ? AND vec IS NOT NULL`, string(sp))
	if err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	defer rows.Close()
	set := &vecSet{dim: dim}
	for rows.Next() {
		var (
			n int64
			b []byte
		)
		if err := rows.Scan(&n, &b); err != nil {
			return nil, fmt.Errorf("load vectors: %w", err)
		}
		var ok bool
		if set.vecs, ok = appendUnit(set.vecs, b, dim); ok {
			set.ns = append(set.ns, n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	return set, nil
}

// scored is a row number with its score, best first in every list.
type scored struct {
	n     int64
	score float64
}

// parallelScanMin is the fewest vectors worth splitting a scan across cores for: below it,
// starting goroutines costs more than it saves.
const parallelScanMin = 8192

// nearest returns the k rows of set closest to the unit vector q, best first (ties by row
// number), among those allow admits (nil: all). A large set is scanned in up to cores parts
// at once.
func nearest(set *vecSet, q []float32, k int, allow map[int64]bool, cores int) []scored {
	return nearestIn(set, q, k, allow, min(cores, len(set.ns)/parallelScanMin))
}

// nearestIn is nearest scanning in parts goroutines.
func nearestIn(set *vecSet, q []float32, k int, allow map[int64]bool, parts int) []scored {
	if parts <= 1 {
		return scan(set, q, k, allow, 0, len(set.ns))
	}
	tops := make([][]scored, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*len(set.ns)/parts, (p+1)*len(set.ns)/parts
		wg.Go(func() { tops[p] = scan(set, q, k, allow, lo, hi) })
	}
	wg.Wait()
	all := slices.Concat(tops...)
	slices.SortFunc(all, byScore)
	return all[:min(k, len(all))]
}

// scan returns the best k of set's vectors lo to hi, best first.
func scan(set *vecSet, q []float32, k int, allow map[int64]bool, lo, hi int) []scored {
	top := make([]scored, 0, k+1)
	d := set.dim
	for i := lo; i < hi; i++ {
		n := set.ns[i]
		if allow != nil && !allow[n] {
			continue
		}
		sc := float64(vek32.Dot(q, set.vecs[i*d:(i+1)*d]))
		if len(top) == k && sc <= top[k-1].score {
			continue
		}
		// Insert in order; k is at most MaxK, so a sorted slice beats a heap here.
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

// byScore orders best first, ties by row number.
func byScore(a, b scored) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	return cmp.Compare(a.n, b.n)
}
