package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestKeywordBM25RanksRepeatedTermHigher(t *testing.T) {
	s := openStore(t, Options{})
	once := mustAdd(t, s, spaceA, "the falcon flies over the river bank today", nil)
	twice := mustAdd(t, s, spaceA, "the falcon watches the falcon nest from afar", nil)
	mustAdd(t, s, spaceA, "nothing to see here at all", nil)
	hits := mustSearch(t, s, spaceA, Query{Text: "falcon", K: 10})
	if got := ids(hits); !slices.Equal(got, []ID{twice, once}) {
		t.Fatalf("ranking %v, want [%s %s]", got, twice, once)
	}
	if !(hits[0].Score > hits[1].Score) {
		t.Fatalf("scores not descending: %v, %v", hits[0].Score, hits[1].Score)
	}
	// Any word matches; matching more words ranks higher.
	both := mustAdd(t, s, spaceA, "a falcon by the river", nil)
	hits = mustSearch(t, s, spaceA, Query{Text: "falcon river", K: 1})
	if len(hits) != 1 || hits[0].ID != both {
		t.Fatalf("two-word match not first: %+v", hits)
	}
}

func TestVectorSearchRanksByCosine(t *testing.T) {
	e := &hashEmbedder{dim: 4, fixed: map[string][]float32{
		"q":     {1, 0, 0, 0},
		"exact": {2, 0, 0, 0}, // length does not matter, direction does
		"close": {1, 1, 0, 0},
		"far":   {0, 0, 1, 0},
		"zero":  {0, 0, 0, 0},
	}}
	s := openStore(t, Options{Embedder: e})
	exact := mustAdd(t, s, spaceA, "exact", nil)
	closeID := mustAdd(t, s, spaceA, "close", nil)
	far := mustAdd(t, s, spaceA, "far", nil)
	zero := mustAdd(t, s, spaceA, "zero", nil)
	hits := mustSearch(t, s, spaceA, Query{Text: "q", Mode: Vector, K: 10})
	if got := ids(hits); len(got) != 4 || got[0] != exact || got[1] != closeID {
		t.Fatalf("ranking %v", got)
	}
	if !near(hits[0].Score, 1) || !near(hits[1].Score, 1/sqrt2) {
		t.Fatalf("scores %v %v", hits[0].Score, hits[1].Score)
	}
	for _, h := range hits[2:] {
		if (h.ID != far && h.ID != zero) || h.Score != 0 {
			t.Fatalf("unexpected tail hit %+v", h)
		}
	}
	if hits := mustSearch(t, s, spaceA, Query{Text: "q", Mode: Vector, K: 1}); len(hits) != 1 || hits[0].ID != exact {
		t.Fatalf("k=1: %+v", hits)
	}
}

const sqrt2 = 1.4142135623730951

func TestVectorCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	e := &hashEmbedder{dim: 4, fixed: map[string][]float32{
		"q": {1, 0, 0, 0}, "a": {1, 0, 0, 0}, "b": {0, 1, 0, 0},
	}}
	s := openStore(t, Options{Embedder: e})
	id := mustAdd(t, s, spaceA, "b", nil)
	if hits := mustSearch(t, s, spaceA, Query{Text: "q", Mode: Vector, K: 1}); hits[0].Score != 0 {
		t.Fatalf("before update: %+v", hits)
	}
	if err := s.Update(ctx, spaceA, id, Entry{Text: "a"}); err != nil {
		t.Fatal(err)
	}
	if hits := mustSearch(t, s, spaceA, Query{Text: "q", Mode: Vector, K: 1}); !near(hits[0].Score, 1) {
		t.Fatalf("cache kept the old vector: %+v", hits)
	}
	added := mustAdd(t, s, spaceA, "b", nil)
	if hits := mustSearch(t, s, spaceA, Query{Text: "q", Mode: Vector, K: 5}); len(hits) != 2 || hits[1].ID != added {
		t.Fatalf("cache missed an add: %+v", hits)
	}
	if err := s.Delete(ctx, spaceA, id); err != nil {
		t.Fatal(err)
	}
	if hits := mustSearch(t, s, spaceA, Query{Text: "q", Mode: Vector, K: 5}); len(hits) != 1 || hits[0].ID != added {
		t.Fatalf("cache kept a deleted entry: %+v", hits)
	}
}

func TestHybridFusesBothLists(t *testing.T) {
	// "alpha" is the query. kwOnly matches the word but not the vector; vecOnly matches the
	// vector but not the word; both matches both and must rank first.
	e := &hashEmbedder{dim: 4, fixed: map[string][]float32{
		"alpha":             {1, 0, 0, 0},
		"alpha and beta":    {0, 1, 0, 0},
		"gamma":             {1, 0.1, 0, 0},
		"alpha and epsilon": {1, 0, 0, 0},
		"unrelated":         {0, 0, 1, 0},
	}}
	s := openStore(t, Options{Embedder: e})
	kwOnly := mustAdd(t, s, spaceA, "alpha and beta", nil)
	vecOnly := mustAdd(t, s, spaceA, "gamma", nil)
	both := mustAdd(t, s, spaceA, "alpha and epsilon", nil)
	mustAdd(t, s, spaceA, "unrelated", nil)

	hits := mustSearch(t, s, spaceA, Query{Text: "alpha", Mode: Hybrid, K: 3})
	got := ids(hits)
	if len(got) != 3 || got[0] != both || !slices.Contains(got, kwOnly) || !slices.Contains(got, vecOnly) {
		t.Fatalf("hybrid %v; want %s first, then %s and %s", got, both, kwOnly, vecOnly)
	}
	// both: rank 1 or 2 in the keyword list and 1 in the vector list.
	if hits[0].Score <= 1.0/(rrfK+1) || hits[0].Score > 2.0/(rrfK+1) {
		t.Fatalf("fused score %v", hits[0].Score)
	}
	// A query of no words still ranks by vector.
	e.fixed["!!!"] = []float32{1, 0, 0, 0}
	if hits := mustSearch(t, s, spaceA, Query{Text: "!!!", Mode: Hybrid, K: 1}); len(hits) != 1 || hits[0].ID != both {
		t.Fatalf("wordless hybrid: %+v", hits)
	}
}

func TestFuse(t *testing.T) {
	got := fuse(3, []scored{{n: 1}, {n: 2}}, []scored{{n: 2}, {n: 3}})
	if len(got) != 3 || got[0].n != 2 || got[1].n != 1 || got[2].n != 3 {
		t.Fatalf("fuse %+v", got)
	}
	if !near(got[0].score, 1.0/62+1.0/61) || !near(got[1].score, 1.0/61) {
		t.Fatalf("fuse scores %+v", got)
	}
}

func TestFilters(t *testing.T) {
	s := openStore(t, Options{Embedder: &hashEmbedder{dim: 32}})
	red := mustAdd(t, s, spaceA, "apple pie", map[string]string{"color": "red", "kind": "food"})
	mustAdd(t, s, spaceA, "apple tree", map[string]string{"color": "green", "kind": "plant"})
	redPlant := mustAdd(t, s, spaceA, "apple blossom", map[string]string{"color": "red", "kind": "plant"})
	for _, mode := range []Mode{Keyword, Vector, Hybrid} {
		hits := mustSearch(t, s, spaceA, Query{Text: "apple", Mode: mode, K: 10, Filter: map[string]string{"color": "red"}})
		if got := ids(hits); len(got) != 2 || !slices.Contains(got, red) || !slices.Contains(got, redPlant) {
			t.Fatalf("%s color=red: %v", mode, got)
		}
		hits = mustSearch(t, s, spaceA, Query{Text: "apple", Mode: mode, K: 10, Filter: map[string]string{"color": "red", "kind": "plant"}})
		if got := ids(hits); !slices.Equal(got, []ID{redPlant}) {
			t.Fatalf("%s color=red kind=plant: %v", mode, got)
		}
		hits = mustSearch(t, s, spaceA, Query{Text: "apple", Mode: mode, K: 10, Filter: map[string]string{"color": "blue"}})
		if len(hits) != 0 {
			t.Fatalf("%s color=blue: %+v", mode, hits)
		}
	}
}

func TestNoEmbedderVectorIsErrNoEmbedderKeywordWorks(t *testing.T) {
	s := openStore(t, Options{})
	id := mustAdd(t, s, spaceA, "plain keyword entry", nil)
	for _, mode := range []Mode{Vector, Hybrid} {
		_, err := s.Search(context.Background(), spaceA, Query{Text: "keyword", Mode: mode, K: 1})
		wantErr(t, err, ErrNoEmbedder)
	}
	if hits := mustSearch(t, s, spaceA, Query{Text: "keyword", K: 1}); len(hits) != 1 || hits[0].ID != id {
		t.Fatalf("keyword: %+v", hits)
	}
}

func TestKeywordLeavesOutCommonWords(t *testing.T) {
	s := openStore(t, Options{})
	falcon := mustAdd(t, s, spaceA, "the falcon", nil)
	mustAdd(t, s, spaceA, "the river", nil)
	mustAdd(t, s, spaceA, "the bank", nil)
	// "the" is in every entry: a query for it alone still finds them all...
	if hits := mustSearch(t, s, spaceA, Query{Text: "The", K: 10}); len(hits) != 3 {
		t.Fatalf("the: %+v", hits)
	}
	// ...but beside a rarer word it is not searched.
	if hits := mustSearch(t, s, spaceA, Query{Text: "THE falcon", K: 10}); len(hits) != 1 || hits[0].ID != falcon {
		t.Fatalf("the falcon: %+v", hits)
	}
}

// TestNearestInParts checks a scan split across goroutines against one exact serial pass,
// with ties (duplicate vectors), a filter, and k above the set's size.
func TestNearestInParts(t *testing.T) {
	set := randomSet(5000, 7, 1)
	copy(set.vecs[4000*7:4001*7], set.vecs[10*7:11*7]) // a tie across parts
	allow := map[int64]bool{}
	for n := int64(0); n < 5000; n += 3 {
		allow[n] = true
	}
	q := set.vecs[10*7 : 11*7]
	for _, k := range []int{1, 10, 6000} {
		for _, f := range []map[int64]bool{nil, allow} {
			want := nearestSerial(set, q, k, f)
			for _, parts := range []int{1, 2, 3, 7} {
				if got := nearestIn(set, q, k, f, parts); !slices.Equal(got, want) {
					t.Fatalf("k %d, parts %d, filter %v: %v..., want %v...", k, parts, f != nil, got[:min(3, len(got))], want[:min(3, len(want))])
				}
			}
		}
	}
}

func TestDFCache(t *testing.T) {
	var c dfCache
	c.put("w", 5, 100)
	if doc, ok := c.get("w", 110); !ok || doc != 5 {
		t.Fatalf("within a tenth: %d %v", doc, ok)
	}
	if _, ok := c.get("w", 111); ok {
		t.Fatal("reused past a tenth")
	}
	if _, ok := c.get("w", 89); ok {
		t.Fatal("reused past a tenth")
	}
	for i := range dfCacheSize {
		c.put(fmt.Sprint(i), 1, 1)
	}
	if len(c.m) > dfCacheSize {
		t.Fatalf("cache grew to %d", len(c.m))
	}
}

// TestConcurrentSearchAndWrite: searches running beside writes never fail, and once writes
// stop the vector cache agrees with the database.
func TestConcurrentSearchAndWrite(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, Options{Embedder: &hashEmbedder{dim: 16}})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				id, err := s.Add(ctx, spaceA, Entry{Text: fmt.Sprintf("word %d %d", w, i)})
				if err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					if err := s.Delete(ctx, spaceA, id); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 15 {
				for _, mode := range []Mode{Keyword, Vector, Hybrid} {
					if _, err := s.Search(ctx, spaceA, Query{Text: "word", Mode: mode, K: 100}); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	u, _ := s.Usage(ctx, spaceA)
	if u.Entries != 20 {
		t.Fatalf("usage %+v, want 20 entries", u)
	}
	for _, mode := range []Mode{Keyword, Vector, Hybrid} {
		if hits := mustSearch(t, s, spaceA, Query{Text: "word", Mode: mode, K: 100}); len(hits) != 20 {
			t.Fatalf("%s found %d entries, want 20", mode, len(hits))
		}
	}
}

// TestKeywordInASmallStore: in a store of two entries, a word in one of them is not common, and
// a query word found nowhere is never the only one searched.
func TestKeywordInASmallStore(t *testing.T) {
	s := openStore(t, Options{})
	cat := mustAdd(t, s, spaceA, "the cat sat on the mat", nil)
	mustAdd(t, s, spaceA, "dogs bark at night", nil)
	for _, q := range []string{"cat", "cat or mat", "cat zebra", "zebra cat"} {
		if hits := mustSearch(t, s, spaceA, Query{Text: q, K: 10}); len(hits) != 1 || hits[0].ID != cat {
			t.Errorf("%q: %+v, want the cat", q, hits)
		}
	}
}
