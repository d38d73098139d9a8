package memory

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestListPagesInOrderOfAdding(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	var want []ID
	for i := range 7 {
		want = append(want, mustAdd(t, s, spaceA, fmt.Sprintf("note %d", i), map[string]string{"i": fmt.Sprint(i)}))
		mustAdd(t, s, spaceB, "other space", nil)
	}
	var got []ID
	var after ID
	for pages := 0; ; pages++ {
		recs, next, err := s.List(ctx, spaceA, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			got = append(got, r.ID)
			if r.Text != fmt.Sprintf("note %d", len(got)-1) || r.Metadata["i"] != fmt.Sprint(len(got)-1) || r.Created.IsZero() {
				t.Fatalf("record %d = %+v", len(got)-1, r)
			}
		}
		if next == "" {
			if pages != 2 {
				t.Fatalf("%d pages, want 3", pages+1)
			}
			break
		}
		after = next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
}

func TestListEmptyAndUnknownSpaces(t *testing.T) {
	s := openStore(t, Options{})
	recs, next, err := s.List(context.Background(), spaceA, "", 0)
	if err != nil || len(recs) != 0 || next != "" {
		t.Fatalf("List of an empty space = %v, %q, %v", recs, next, err)
	}
}

func TestListLimits(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	for i := range DefaultListPage + 1 {
		mustAdd(t, s, spaceA, fmt.Sprint("n", i), nil)
	}
	if recs, next, err := s.List(ctx, spaceA, "", 0); err != nil || len(recs) != DefaultListPage || next == "" {
		t.Fatalf("limit 0: %d records, next %q, %v", len(recs), next, err)
	}
	if recs, next, err := s.List(ctx, spaceA, "", 1<<62); err != nil || len(recs) != DefaultListPage+1 || next != "" {
		t.Fatalf("huge limit: %d records, next %q, %v", len(recs), next, err)
	}
	_, _, err := s.List(ctx, spaceA, "", -1)
	wantErr(t, err, ErrInvalid)
}

func TestListRefusesBadInput(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	own := mustAdd(t, s, spaceA, "mine", nil)
	_, _, err := s.List(ctx, "", "", 0)
	wantErr(t, err, ErrInvalid)
	for _, bad := range []ID{"x", "../../etc", ID(string(make([]byte, 32))), "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"} {
		_, _, err := s.List(ctx, spaceA, bad, 0)
		wantErr(t, err, ErrInvalid)
	}
	// Another space's id is no cursor: it is not found, exactly like one that never existed.
	_, _, err = s.List(ctx, spaceB, own, 0)
	wantErr(t, err, ErrNotFound)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.List(ctx, spaceA, "", 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("List after Close: %v", err)
	}
}
