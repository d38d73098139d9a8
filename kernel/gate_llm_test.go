package kernel

import (
	"fmt"
	"maps"
	"sync"
	"testing"
)

// TestGenerationArgs checks the policy arguments of a generation: what it names, nothing it
// does not, the same whether built afresh or shared, and still right past the bound on shared
// sets, from many goroutines at once.
func TestGenerationArgs(t *testing.T) {
	g := &Gate{}
	cases := []struct {
		model, class string
		maxTokens    int
		want         map[string]any
	}{
		{"m", "", 0, map[string]any{"model": "m"}},
		{"m", "", -5, map[string]any{"model": "m"}},
		{"m", "large", 7, map[string]any{"model": "m", "class": "large", "max_tokens": 7}},
		{"", "large", 1 << 40, map[string]any{"class": "large", "max_tokens": 1 << 40}},
		{"", "", 0, map[string]any{}},
		{"m\x00", "", 0, map[string]any{"model": "m\x00"}},
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				for _, c := range cases {
					if got := g.generationArgs(newGenerationArgsKey(c.model, c.class, c.maxTokens)); !maps.Equal(got, c.want) {
						t.Errorf("generationArgs(%q, %q, %d) = %v, want %v", c.model, c.class, c.maxTokens, got, c.want)
					}
				}
			}
		})
	}
	wg.Wait()
	for i := range maxGenerationArgs + 10 {
		want := map[string]any{"model": fmt.Sprint("m", i), "max_tokens": i + 1}
		if got := g.generationArgs(newGenerationArgsKey(fmt.Sprint("m", i), "", i+1)); !maps.Equal(got, want) {
			t.Fatalf("set %d: %v, want %v", i, got, want)
		}
	}
	if n := len(g.genArgs.m); n != maxGenerationArgs {
		t.Errorf("%d shared sets, want the bound %d", n, maxGenerationArgs)
	}
}
