package aios_test

import (
	"context"
	"fmt"

	aios "github.com/aiosys/aios/sdk-go"
)

// An agent remembers a fact in its own memory and finds it again by keywords.
func ExampleMemory_Search() {
	ctx := context.Background()
	mem := aios.Mem()
	if _, err := mem.Add(ctx, "The user prefers short answers.", map[string]string{"kind": "preference"}); err != nil {
		aios.Errorf("remember: %v", err)
		return
	}
	hits, err := mem.Search(ctx, "answers", aios.TopK(3), aios.Where("kind", "preference"))
	if err != nil {
		aios.Errorf("search: %v", err)
		return
	}
	for _, h := range hits {
		fmt.Printf("%.2f %s\n", h.Score, h.Text)
	}
}

// Agents of one tenant share a memory space the operator grants them.
func ExampleSharedMemory() {
	team := aios.SharedMemory("team-notes")
	hits, err := team.Search(context.Background(), "release date", aios.Hybrid())
	if err != nil {
		aios.Errorf("search: %v", err)
		return
	}
	fmt.Println(len(hits), "notes")
}
