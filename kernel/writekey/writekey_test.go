package writekey

import (
	"context"
	"strings"
	"testing"
)

func TestWithAndFrom(t *testing.T) {
	if _, ok := From(context.Background()); ok {
		t.Fatal("a context without a key gave one")
	}
	k := Key{Run: "20261201T000000-abcd", Attempt: 2, Call: 41}
	got, ok := From(With(context.Background(), k))
	if !ok || got != k {
		t.Fatalf("From(With(k)) = %+v, %v", got, ok)
	}
	if s := k.String(); s != "20261201T000000-abcd/2/41" {
		t.Errorf("String() = %q", s)
	}
}

func TestCheck(t *testing.T) {
	if err := (Key{Run: "r"}).Check(); err != nil {
		t.Errorf("a valid key: %v", err)
	}
	for _, k := range []Key{
		{},
		{Run: strings.Repeat("r", maxRun+1)},
		{Run: "r", Attempt: -1},
		{Run: "r", Call: -1 << 62},
	} {
		if err := k.Check(); err == nil {
			t.Errorf("Check(%+v) = nil, want an error", k)
		}
	}
}
