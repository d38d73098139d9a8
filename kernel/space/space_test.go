package space

import "testing"

func TestOfNeverCollides(t *testing.T) {
	ids := []Identity{
		{Tenant: "a/b", Publisher: "k", Name: "c"},
		{Tenant: "a", Publisher: "b/k", Name: "c"},
		{Tenant: "a", Publisher: "b", Name: "k/c"},
		{Tenant: "", Publisher: "", Name: "x"},
		{Tenant: "", Publisher: "abcd", Name: "x"},
		{Tenant: "%2F", Publisher: "k", Name: "c"},
		{Tenant: "/", Publisher: "k", Name: "c"},
	}
	seen := map[Space]Identity{}
	for _, id := range ids {
		s := Of(id)
		if prev, ok := seen[s]; ok {
			t.Fatalf("%+v and %+v share space %q", prev, id, s)
		}
		seen[s] = id
	}
}

func TestLocal(t *testing.T) {
	if !(Identity{Name: "x"}).Local() || !(Identity{Publisher: LocalPublisher}).Local() {
		t.Fatal("an unsigned identity is not local")
	}
	if (Identity{Publisher: "abcd"}).Local() {
		t.Fatal("a signed identity is local")
	}
	if Of(Identity{Name: "x"}) != Of(Identity{Publisher: LocalPublisher, Name: "x"}) {
		t.Fatal("an empty publisher and LocalPublisher differ")
	}
}

func TestSharedNeverEqualsOwn(t *testing.T) {
	own := Of(Identity{Tenant: "t", Publisher: "p", Name: "n"})
	for _, s := range []Space{Shared("t", "n"), Shared("t/p", "n"), Shared("t", "p/n"), Shared("", "t")} {
		if s == own {
			t.Fatalf("shared space %q equals an agent's own", s)
		}
	}
	if ab, ba := Shared("a", "b"), Shared("b", "a"); ab == ba || ab != Space("a/b") {
		t.Fatalf("shared spaces %q and %q are not keyed by tenant and name", ab, ba)
	}
}

func TestValidSharedName(t *testing.T) {
	for _, ok := range []string{"team", "a.b_c-d", "X9"} {
		if !ValidSharedName(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "../x", "a/b", "a b", "a\x00", "é", string(make([]byte, 65))} {
		if ValidSharedName(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
