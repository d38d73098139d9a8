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
