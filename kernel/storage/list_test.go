package storage

import (
	"context"
	"fmt"
	"testing"
)

func TestListPagesByPrefix(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	for i := range 25 {
		mustPut(t, s, alice, fmt.Sprintf("user/%02d", i), "v")
	}
	mustPut(t, s, alice, "user", "not under user/")
	mustPut(t, s, alice, "user0", "not under user/")
	mustPut(t, s, alice, "usez", "after the prefix")
	mustPut(t, s, alice, "user/\u00e9", "é sorts after ASCII bytes")
	if _, err := s.Delete(ctx, alice, "user/03"); err != nil {
		t.Fatal(err)
	}

	var got []string
	after, pages := "", 0
	for {
		entries, next, err := s.List(ctx, alice, "user/", after, 10)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range entries {
			got = append(got, e.Key)
			if e.Version != 1 || e.Size != 1 && e.Key != "user/\u00e9" {
				t.Fatalf("entry %+v", e)
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	var want []string
	for i := range 25 {
		if i != 3 {
			want = append(want, fmt.Sprintf("user/%02d", i))
		}
	}
	want = append(want, "user/\u00e9")
	if fmt.Sprint(got) != fmt.Sprint(want) || pages != 3 {
		t.Fatalf("listed %v in %d pages, want %v in 3", got, pages, want)
	}
}

func TestListClampsItsLimit(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Limits{Now: newClock().Now})
	for i := range DefaultPage + 5 {
		mustPut(t, s, alice, fmt.Sprintf("k%04d", i), "")
	}
	for _, tc := range []struct{ limit, want int }{
		{-1, DefaultPage}, {0, DefaultPage}, {-1 << 63, DefaultPage}, {1 << 62, DefaultPage + 5}, {3, 3},
	} {
		entries, next, err := s.List(ctx, alice, "", "", tc.limit)
		if err != nil || len(entries) != tc.want {
			t.Fatalf("list with limit %d: %d entries, %v; want %d", tc.limit, len(entries), err, tc.want)
		}
		if (next != "") != (tc.want < DefaultPage+5) {
			t.Fatalf("list with limit %d: next %q", tc.limit, next)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct {
		prefix, end string
		ok          bool
	}{
		{"", "", false},
		{"a", "b", true},
		{"a\xff", "b", true},
		{"\xff\xff", "", false},
		{"ab", "ac", true},
	} {
		end, ok := prefixEnd(tc.prefix)
		if end != tc.end || ok != tc.ok {
			t.Errorf("prefixEnd(%q) = %q, %v; want %q, %v", tc.prefix, end, ok, tc.end, tc.ok)
		}
	}
}
