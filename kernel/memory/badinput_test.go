package memory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestBadEntriesRefused(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, Options{MaxEntryBytes: 1024, Embedder: &hashEmbedder{dim: 8}})
	keep := mustAdd(t, s, spaceA, "keep me", map[string]string{"k": "v"})
	before, _ := s.Usage(ctx, spaceA)
	many := map[string]string{}
	for i := range MaxMetaKeys + 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	bad := map[string]Entry{
		"oversized text":      {Text: strings.Repeat("x", 1025)},
		"oversized with meta": {Text: strings.Repeat("x", 1000), Metadata: map[string]string{"key": strings.Repeat("v", 30)}},
		"invalid UTF-8 text":  {Text: "ok \xff\xfe"},
		"invalid UTF-8 key":   {Text: "ok", Metadata: map[string]string{"\xc3": "v"}},
		"invalid UTF-8 value": {Text: "ok", Metadata: map[string]string{"k": "\xc3\x28"}},
		"too many keys":       {Text: "ok", Metadata: many},
		"huge key":            {Text: "ok", Metadata: map[string]string{strings.Repeat("k", MaxMetaKeyBytes+1): "v"}},
		"huge value":          {Text: "ok", Metadata: map[string]string{"k": strings.Repeat("v", MaxMetaValueBytes+1)}},
		"empty key":           {Text: "ok", Metadata: map[string]string{"": "v"}},
	}
	for name, e := range bad {
		_, err := s.Add(ctx, spaceA, e)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("add %s: %v, want ErrInvalid", name, err)
		}
		if err := s.Update(ctx, spaceA, keep, e); !errors.Is(err, ErrInvalid) {
			t.Errorf("update %s: %v, want ErrInvalid", name, err)
		}
	}
	_, err := s.Add(ctx, "", Entry{Text: "x"})
	wantErr(t, err, ErrInvalid)
	for _, id := range []ID{"", "../x", "' OR 1=1 --", ID(strings.Repeat("A", 32)), ID(strings.Repeat("0", 33))} {
		_, err := s.Get(ctx, spaceA, id)
		wantErr(t, err, ErrInvalid)
		wantErr(t, s.Delete(ctx, spaceA, id), ErrInvalid)
		wantErr(t, s.Update(ctx, spaceA, id, Entry{Text: "x"}), ErrInvalid)
	}
	if u, _ := s.Usage(ctx, spaceA); u != before {
		t.Fatalf("usage %+v after refused writes, was %+v", u, before)
	}
	if r, err := s.Get(ctx, spaceA, keep); err != nil || r.Text != "keep me" || r.Metadata["k"] != "v" {
		t.Fatalf("entry after refused writes: %+v %v", r, err)
	}
	// The largest allowed entry fits exactly.
	mustAdd(t, s, spaceA, strings.Repeat("x", 1022), map[string]string{"k": "v"})
}

func TestBadQueriesRefused(t *testing.T) {
	s := openStore(t, Options{MaxK: 3, Embedder: &hashEmbedder{dim: 8}})
	for i := range 5 {
		mustAdd(t, s, spaceA, fmt.Sprint("word number ", i), nil)
	}
	bad := map[string]Query{
		"k = 0":            {Text: "word", K: 0},
		"k < 0":            {Text: "word", K: -5},
		"empty":            {Text: "  ", K: 1},
		"invalid UTF-8":    {Text: "word \xff", K: 1},
		"too long":         {Text: strings.Repeat("w ", MaxQueryBytes), K: 1},
		"unknown mode":     {Text: "word", K: 1, Mode: Mode(7)},
		"bad filter UTF8":  {Text: "word", K: 1, Filter: map[string]string{"k": "\xff"}},
		"empty filter key": {Text: "word", K: 1, Filter: map[string]string{"": "v"}},
		"huge filter":      {Text: "word", K: 1, Filter: map[string]string{"k": strings.Repeat("v", MaxMetaValueBytes+1)}},
	}
	for name, q := range bad {
		for _, mode := range []Mode{Keyword, Vector, Hybrid} {
			q := q
			if q.Mode == Keyword {
				q.Mode = mode
			}
			if _, err := s.Search(context.Background(), spaceA, q); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s (%s): %v, want ErrInvalid", name, q.Mode, err)
			}
		}
	}
	// A huge k is clamped to MaxK.
	for _, mode := range []Mode{Keyword, Vector, Hybrid} {
		if hits := mustSearch(t, s, spaceA, Query{Text: "word", Mode: mode, K: 1_000_000_000}); len(hits) != 3 {
			t.Fatalf("%s k=1e9 gave %d hits, want MaxK=3", mode, len(hits))
		}
	}
}

// TestFTSSyntaxIsPlainWords: FTS5 operators, quotes, prefixes and column filters in a query are
// never interpreted: no query errors (a query without words is ErrInvalid) or reaches another
// space's rows.
func TestFTSSyntaxIsPlainWords(t *testing.T) {
	s := openStore(t, Options{})
	other := mustAdd(t, s, spaceA, "secret AND NEAR space text", nil)
	mine := mustAdd(t, s, spaceB, "near and far", nil)
	queries := []string{
		`"`, `""`, `"secret`, `secret"`, `AND`, `OR`, `NOT`, `NEAR(`, `NEAR(secret text, 5)`, `*`, `secret*`, `-`,
		`-secret`, `space:x`, `space:` + string(spaceA), `text:secret`, `entries_fts:secret`, `{space text}: secret`,
		`^secret`, `secret + text`, `(`, `)`, `secret) OR (space`, `'`, `' OR 1=1 --`, `%`, `_`, `\`, "\x00secret",
		`near`, `and`, "\u0300", "a\u0300\u0301", "\u200d", "😀 secret", "日本語", "\u00a0secret\u2028",
	}
	for _, text := range queries {
		hits, err := s.Search(context.Background(), spaceB, Query{Text: text, K: 10})
		if err != nil {
			if !errors.Is(err, ErrInvalid) || ftsQuery(text) != "" {
				t.Fatalf("query %q: %v", text, err)
			}
			continue
		}
		for _, h := range hits {
			if h.ID == other || h.ID != mine {
				t.Fatalf("query %q from space B found %+v", text, h)
			}
		}
	}
	if hits := mustSearch(t, s, spaceB, Query{Text: `NEAR(`, K: 10}); len(hits) != 1 || hits[0].ID != mine {
		t.Fatalf("NEAR( as a word: %+v", hits)
	}
}

func TestSQLLookingMetadataIsData(t *testing.T) {
	s := openStore(t, Options{Embedder: &hashEmbedder{dim: 8}})
	inj := `' OR 1=1 --`
	mustAdd(t, s, spaceA, "row of space a", map[string]string{"k": "v"})
	id := mustAdd(t, s, spaceB, "row of space b", map[string]string{inj: inj, `"); DROP TABLE entries; --`: "x"})
	for _, mode := range []Mode{Keyword, Vector, Hybrid} {
		for _, f := range []map[string]string{{inj: "v"}, {"k": inj}, {inj: inj}, {`k' OR '1'='1`: `v' OR '1'='1`}} {
			hits := mustSearch(t, s, spaceB, Query{Text: "row space", Mode: mode, K: 10, Filter: f})
			want := 0
			if f[inj] == inj {
				want = 1
			}
			if len(hits) != want || (want == 1 && hits[0].ID != id) {
				t.Fatalf("%s filter %q: %+v", mode, f, hits)
			}
		}
	}
	r, err := s.Get(context.Background(), spaceB, id)
	if err != nil || r.Metadata[inj] != inj {
		t.Fatalf("metadata not stored literally: %+v %v", r, err)
	}
}
