//go:build wasmtime

package runtime

import (
	"context"
	"testing"
)

func newWasmtimeEngine(t *testing.T) Engine {
	t.Helper()
	e, err := NewWasmtime(context.Background(), Config{})
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

func TestConformanceWasmtime(t *testing.T) {
	runConformance(t, newWasmtimeEngine)
}
