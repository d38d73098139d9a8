package aios_test

import (
	"context"
	"errors"
	"fmt"

	aios "github.com/aiosys/aios/sdk-go"
)

// An agent keeps a counter across runs, and undoes a bad write.
func ExampleStorage() {
	ctx := context.Background()
	st := aios.Store()
	runs := 0
	item, err := st.Get(ctx, "runs")
	switch {
	case errors.Is(err, aios.ErrNotFound): // the first run
	case err != nil:
		aios.Errorf("read: %v", err)
		return
	default:
		fmt.Sscan(string(item.Value), &runs)
	}
	rev, err := st.Put(ctx, "runs", fmt.Append(nil, runs+1))
	if err != nil {
		aios.Errorf("write: %v", err)
		return
	}
	if rev.Version > 1 {
		// Restore the previous value as a new version; nothing is lost.
		if _, err := st.Rollback(ctx, "runs", rev.Version-1); err != nil {
			aios.Errorf("rollback: %v", err)
		}
	}
}

// List reads every key under a prefix, a page at a time.
func ExampleStorage_List() {
	for e, err := range aios.Store().List(context.Background(), "notes/") {
		if err != nil {
			aios.Errorf("list: %v", err)
			return
		}
		fmt.Println(e.Key, e.Version, e.Size)
	}
}
