//go:build wasmtime

package runtime

import "testing"

// newWasmtimeEngine is the wasmtime engine for a test, closed at its end.
var newWasmtimeEngine = testEngine("wasmtime")

func TestConformanceWasmtime(t *testing.T) {
	runConformance(t, newWasmtimeEngine)
}

// TestConformanceWasmtimeOnDemand holds the wasmtime engine without its pool (Pool.OnDemand)
// to the same contract: agents behave the same either way.
func TestConformanceWasmtimeOnDemand(t *testing.T) {
	runConformance(t, func(t *testing.T) Engine {
		return newWasmtimeWith(t, Config{Pool: PoolConfig{OnDemand: true}})
	})
}
