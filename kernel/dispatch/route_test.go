package dispatch

import (
	"errors"
	"slices"
	"testing"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

func TestRouteByModelAliasAndClass(t *testing.T) {
	small := &testCore{name: "small", models: []string{"mini-1", "mini-2"}}
	big := &testCore{name: "big", models: []string{"large-1"}}
	d, err := New([]Backend{
		{Core: small, Class: "fast", Model: "mini-2"},
		{Core: big, Class: "smart"},
	}, Options{Aliases: map[string]string{"cheap": "fast", "best": "large-1", "ghost": "none"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ model, core, sent string }{
		{"mini-1", "small", "mini-1"},
		{"large-1", "big", "large-1"},
		{"fast", "small", "mini-2"},
		{"cheap", "small", "mini-2"},
		{"best", "big", "large-1"},
	} {
		req := ask("hi")
		req.Model = tc.model
		resp, err := d.Generate(as("a"), req, nil)
		if err != nil {
			t.Fatalf("model %q: %v", tc.model, err)
		}
		if resp.Core != tc.core || resp.Model != tc.sent {
			t.Errorf("model %q went to %s as %q, want %s as %q", tc.model, resp.Core, resp.Model, tc.core, tc.sent)
		}
	}
	for _, m := range []string{"nope", "ghost"} {
		req := ask("hi")
		req.Model = m
		if _, err := d.Generate(as("a"), req, nil); !errors.Is(err, llm.ErrNoModel) {
			t.Errorf("model %q: err = %v, want ErrNoModel", m, err)
		}
	}
	want := []string{"best", "cheap", "fast", "ghost", "large-1", "mini-1", "mini-2", "smart"}
	if got := d.Models(); !slices.Equal(got, want) {
		t.Errorf("Models = %v, want %v", got, want)
	}
}

func TestLowestCostStrategy(t *testing.T) {
	dear := &testCore{name: "dear"}
	cheap := &testCore{name: "cheap"}
	d, err := New([]Backend{
		{Core: dear, PriceIn: quota.Dollars(10), PriceOut: quota.Dollars(30)},
		{Core: cheap, PriceIn: quota.Dollars(1), PriceOut: quota.Dollars(2)},
	}, Options{Strategy: LowestCost})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if resp, err := d.Generate(as("a"), ask("x"), nil); err != nil || resp.Core != "cheap" {
			t.Fatalf("went to %q (err %v), want cheap", resp.Core, err)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(nil, Options{}); err == nil {
		t.Error("no backends must be an error")
	}
	if _, err := New([]Backend{{Core: &testCore{name: "a"}}}, Options{Strategy: "random"}); err == nil {
		t.Error("an unknown strategy must be an error")
	}
	if _, err := New([]Backend{{Core: &testCore{name: "a"}}, {Core: &testCore{name: "a"}}}, Options{}); err == nil {
		t.Error("two cores with one name must be an error")
	}
}
