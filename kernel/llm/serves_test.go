package llm

import (
	"context"
	"testing"
)

// listOnly is a core that can only list its models.
type listOnly struct{ models []string }

func (c listOnly) Name() string     { return "list-only" }
func (c listOnly) Models() []string { return c.models }
func (c listOnly) Generate(context.Context, Request, func(Chunk)) (Response, error) {
	return Response{}, nil
}

// TestServes checks Serves for cores that answer themselves (echo, openai) and for one that
// only lists its models: a listed model or any model for a core listing none.
func TestServes(t *testing.T) {
	echo, err := NewEcho(CoreConfig{Name: "e", Kind: KindEcho, Models: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	anyEcho, err := NewEcho(CoreConfig{Name: "any", Kind: KindEcho})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := New(CoreConfig{Name: "r", Kind: KindOpenAI, BaseURL: "http://127.0.0.1:1/v1", Models: []string{"m"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		core Core
		name string
		want bool
	}{
		{echo, "a", true}, {echo, "b", true}, {echo, "c", false}, {echo, "", false},
		{anyEcho, "whatever", true},
		{remote, "m", true}, {remote, "M", false},
		{listOnly{[]string{"x"}}, "x", true}, {listOnly{[]string{"x"}}, "y", false}, {listOnly{}, "y", true},
	}
	for _, c := range cases {
		if got := Serves(c.core, c.name); got != c.want {
			t.Errorf("Serves(%s, %q) = %v, want %v", c.core.Name(), c.name, got, c.want)
		}
	}
}
