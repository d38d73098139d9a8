package memory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel/space"
)

func addAll(t *testing.T, s *Store, sp space.Space, es []Entry) []ID {
	t.Helper()
	got, err := s.addMany(context.Background(), sp, es, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func texts(n int, text func(i int) string) []Entry {
	es := make([]Entry, n)
	for i := range es {
		es[i] = Entry{Text: text(i), Metadata: map[string]string{"all": "1"}}
	}
	return es
}

// TestKeywordLeavesOutWordsInATwentieth checks the commonFloor rule: in a large store, a word
// in more than a twentieth of the entries is not searched beside a rarer one, and a query of
// such words only searches its rarest.
func TestKeywordLeavesOutWordsInATwentieth(t *testing.T) {
	s := openStore(t, Options{})
	// 2500 entries: "often" in 1100 (44%), "always" in 1300 (52%), "falcon" in 1.
	ids := addAll(t, s, spaceA, texts(2500, func(i int) string {
		switch {
		case i == 0:
			return "falcon"
		case i <= 1100:
			return fmt.Sprintf("often filler%d", i)
		default:
			return fmt.Sprintf("always filler%d", i)
		}
	}))
	if hits := mustSearch(t, s, spaceA, Query{Text: "often falcon", K: 10}); len(hits) != 1 || hits[0].ID != ids[0] {
		t.Fatalf("often falcon: %+v", hits)
	}
	hits := mustSearch(t, s, spaceA, Query{Text: "always often", K: 100})
	if len(hits) != 100 {
		t.Fatalf("always often: %d hits", len(hits))
	}
	for _, h := range hits {
		if !strings.HasPrefix(h.Text, "often ") {
			t.Fatalf("always often found %q: only the rarer word should be searched", h.Text)
		}
	}
	// A word in more than a twentieth but at most commonFloor entries is still searched.
	s2 := openStore(t, Options{})
	addAll(t, s2, spaceA, texts(100, func(i int) string { return fmt.Sprintf("often%d river", i%3) }))
	if hits := mustSearch(t, s2, spaceA, Query{Text: "often0 falcon", K: 100}); len(hits) != 34 {
		t.Fatalf("often0 falcon: %d hits, want 34", len(hits))
	}
}

// TestKeywordWholeStoreAgreesWithSpaceSearch compares the two keyword paths on random
// queries, with and without filters of several selectivities: a space holding most of the
// store ranked against the whole store (falling back when that is not enough) and the space
// ranked alone must give the same list.
func TestKeywordWholeStoreAgreesWithSpaceSearch(t *testing.T) {
	s := openStore(t, Options{})
	r := rand.New(rand.NewPCG(7, 7))
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = fmt.Sprint("w", r.IntN(40))
		}
		return strings.Join(w, " ")
	}
	tagged := func(n int) []Entry {
		es := texts(n, func(int) string { return words(1 + r.IntN(12)) })
		for i := range es {
			es[i].Metadata = map[string]string{"tenth": fmt.Sprint(i % 10), "fiftieth": fmt.Sprint(i % 50)}
		}
		return es
	}
	addAll(t, s, spaceA, tagged(400))
	addAll(t, s, spaceB, tagged(150))
	ctx := context.Background()
	filters := []map[string]string{nil, {"tenth": "3"}, {"fiftieth": "7"}, {"tenth": "3", "fiftieth": "13"}, {"tenth": "none"}}
	for range 100 {
		ws, k, f := queryWords(words(1+r.IntN(3))), 1+r.IntN(20), filters[r.IntN(len(filters))]
		got, err := s.keyword(ctx, spaceA, ws, f, k)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := s.weighty(ctx, ws, 550)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.keywordSpace(ctx, spaceA, "text : ("+matchExpr(kept)+")", f, k)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rowsOf(got), rowsOf(want)) {
			t.Fatalf("%q k %d filter %v: %v, ranked alone %v", ws, k, f, got, want)
		}
	}
}

// TestKeywordWholeStoreFallsBack: when other spaces' entries take every place the whole-store
// ranking looked at, the space is searched alone and its own best entry still comes back.
func TestKeywordWholeStoreFallsBack(t *testing.T) {
	s := openStore(t, Options{})
	mine := addAll(t, s, spaceA, texts(10, func(i int) string {
		return "zeta " + strings.Repeat(fmt.Sprintf("pad%d ", i), 20+i)
	}))
	addAll(t, s, spaceB, texts(8, func(int) string { return "zeta zeta zeta" }))
	hits := mustSearch(t, s, spaceA, Query{Text: "zeta", K: 1})
	if len(hits) != 1 || hits[0].ID != mine[0] {
		t.Fatalf("zeta: %+v, want the shortest of A's entries %s", hits, mine[0])
	}
}
