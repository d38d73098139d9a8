package runtime

import (
	"context"
	"testing"
)

func newWazeroEngine(t *testing.T) Engine {
	t.Helper()
	e, err := NewWazero(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return e
}

func TestConformanceWazero(t *testing.T) {
	runConformance(t, newWazeroEngine)
}
