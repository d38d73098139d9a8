//go:build wasmtime

package runtime

import "testing"

// newWasmtimeEngine is the wasmtime engine for a test, closed at its end.
var newWasmtimeEngine = testEngine("wasmtime")

func TestConformanceWasmtime(t *testing.T) {
	runConformance(t, newWasmtimeEngine)
}
